//! The fast path for JSON Lines records: one line parsed by serde straight into an [`Operation`],
//! without building a `serde_json::Value` and a located tree of the whole record first.
//!
//! It handles only the common case and answers `None` on anything else, and the caller then runs the
//! exact, located path ([`super::load`]) on the line, which gives every problem with its line, column,
//! message and hint. The fast path never decides alone that a line is valid: each field's value is
//! read into the same node ([`Node`]) that the exact path builds for it (`yaml::node_from_json`), and
//! validated by the same function ([`Operation::set`]). What it adds is only the shape of the record,
//! and on any doubt it gives up:
//! - a line that is not a single JSON object (an array, a scalar, trailing text, a syntax error);
//! - an unknown field name, or a field written twice (the exact path keeps the last value and says
//!   nothing; falling back keeps that behaviour without copying it);
//! - an object as a field's value (no field holds one);
//! - `id`, `name` or `department` missing, `null`, not a string, or blank; an id that is not an
//!   [`OperationId`];
//! - any value that [`Operation::set`] refuses.
//!
//! `null` for an optional field means unknown, as on the exact path: the field is left unset.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::fields::{Field, OperationId};
use super::Operation;
use crate::yaml::{Node, Pos, Value};

/// Parses one JSON Lines record on the fast path: `Some` only when the exact path would give the same
/// operation without any diagnostic; `None` means "not sure: run the exact path".
pub fn operation_fast(line_no: usize, line: &str) -> Option<Operation> {
    // serde would also read a struct from a JSON array; a record is an object, nothing else.
    if !line.trim_start().starts_with('{') {
        return None;
    }
    let pos = Pos {
        line: line_no,
        column: 1,
    };
    let mut de = serde_json::Deserializer::from_str(line);
    let record = RecordSeed { pos }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    record
}

/// Reads the key of a record: the field it names, or `None` for an unknown name.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<Field>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<Field>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Field::from_name(v))
    }
}

/// Reads a whole record. `Ok(None)` (or an error) sends the line to the exact path.
struct RecordSeed {
    pos: Pos,
}

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = Option<Operation>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

/// Why the fast path gave up (serde needs an error value to stop a parse early).
fn give_up<E: serde::de::Error>() -> E {
    E::custom("not on the fast path")
}

impl<'de> Visitor<'de> for RecordSeed {
    type Value = Option<Operation>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an operation record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Duplicate fields are found with one bit per field.
        if Field::ALL.len() > 128 {
            return Ok(None);
        }
        let mut seen: u128 = 0;
        let (mut id, mut name, mut department) = (None, None, None);
        // Each optional value goes into the operation as soon as it is read (through the same
        // `Operation::set`), not into a list of nodes first: a record of ~45 fields moved each node
        // twice. The identity is filled in at the end, once the three required texts are known.
        let mut op = Operation::new(
            OperationId::parse("x").ok_or_else(give_up)?,
            String::new(),
            String::new(),
        );
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let Some(field) = key else {
                return Err(give_up());
            };
            let bit = 1u128 << (field as usize);
            if seen & bit != 0 {
                return Err(give_up());
            }
            seen |= bit;
            let node = map.next_value_seed(NodeSeed { pos: self.pos })?;
            match (field, node.value) {
                (_, Value::Null) if !field.is_required() => {}
                (Field::id, Value::Str(s)) => id = Some(s),
                (Field::name, Value::Str(s)) => name = Some(s),
                (Field::department, Value::Str(s)) => department = Some(s),
                (f, _) if f.is_required() => return Err(give_up()),
                (f, value) => op.set(f, Node { value, ..node }).map_err(|_| give_up())?,
            }
        }
        let (Some(id), Some(name), Some(department)) = (id, name, department) else {
            return Ok(None);
        };
        // The exact path's test for the three required texts: a string that is not blank.
        if [&id, &name, &department]
            .iter()
            .any(|s| s.trim().is_empty())
        {
            return Ok(None);
        }
        let Some(id) = OperationId::parse(&id) else {
            return Ok(None);
        };
        op.id = id;
        op.name = name;
        op.department = department;
        Ok(Some(op))
    }
}

/// Reads one value into the node that `yaml::node_from_json` would build for it (located at the
/// start of the line, one character long, without source text); objects are refused.
#[derive(Clone, Copy)]
struct NodeSeed {
    pos: Pos,
}

impl NodeSeed {
    fn node(self, value: Value) -> Node {
        Node {
            value,
            pos: self.pos,
            len: 1,
            raw: None,
        }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(self.node(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(self.node(Value::Null))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(self.node(Value::Bool(v)))
    }
    // Numbers as `serde_json::Number::as_i64`, else `as_f64`, as `yaml::node_from_json` reads them.
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(self.node(Value::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(self.node(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        }))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Node, E> {
        // serde_json's `Value` turns a non-finite number into null; serde_json never parses one, but
        // the fast path does not guess.
        if v.is_finite() {
            Ok(self.node(Value::Float(v)))
        } else {
            Err(give_up())
        }
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(self.node(Value::Str(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(self.node(Value::Str(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(self.node(Value::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        // No field holds a mapping: the exact path reports it.
        let _ = map.next_key::<IgnoredAny>()?;
        Err(give_up())
    }
}

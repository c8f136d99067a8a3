//! `itaku rules`: list the rule set.

use super::{Exit, RuleArgs, Ui};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    rules: RuleArgs,
}

pub fn run(args: Args, ui: &Ui) -> Exit {
    let compiled = match args.rules.compile(ui) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let set = &compiled.rules;
    for (i, r) in set.manifest.rules.iter().enumerate() {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            r.id,
            r.kind.as_str(),
            r.title.get(ui.lang),
            r.basis.get(ui.lang),
            set.parameters_used(i).join(", ")
        );
    }
    Exit::Success
}

//! `itaku test`: run rule test cases written as YAML data.

use super::{Exit, Ui};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args, ui: &Ui) -> Exit {
    ui.say("未実装です", "not implemented yet");
    Exit::Usage
}

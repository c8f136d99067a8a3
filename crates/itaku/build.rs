//! Build script: rebuilds the binary when the standard rules (embedded with include_dir) change.

fn main() {
    println!("cargo:rerun-if-changed=../../rules");
}

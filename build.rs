//! Checks the built-in gazetteer (`data/gazetteer/`) at build time: a line that does not
//! parse fails the build with its file and line, so it can never fail at run time.

#[allow(dead_code)]
#[path = "src/extract/gazetteer.rs"]
mod gazetteer;

fn main() {
    println!("cargo:rerun-if-changed=data/gazetteer");
    println!("cargo:rerun-if-changed=src/extract/gazetteer.rs");
    if let Err(errors) = gazetteer::builtin() {
        for e in &errors {
            println!("cargo:warning={e}");
        }
        panic!("the built-in gazetteer does not parse: {} bad line(s), first: {}", errors.len(), errors[0]);
    }
}

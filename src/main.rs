//! The `basebench` binary (being wired up).
fn main() {
    eprintln!("basebench: under construction");
    std::process::exit(2);
}

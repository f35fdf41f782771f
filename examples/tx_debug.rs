fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dct = chrono::NaiveDate::parse_from_str(&args[2], "%Y-%m-%d").unwrap();
    for t in sanctiond::extract::timex::find(&args[1], dct) {
        println!("{:?} {:?} {}", t.text, t.kind, t.value);
    }
}

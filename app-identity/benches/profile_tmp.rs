use app_identity::*;
use std::hint::black_box;
fn main() {
    let v: u64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let version = Version::from_number(v).unwrap();
    let app = App::new(
        AppId::from_text(uuid::Uuid::new_v4().to_string()).unwrap(),
        Secret::new("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").unwrap(),
        version,
        None,
    )
    .unwrap();
    let proof = generate_proof(&app, None, None).unwrap();
    let now = Timestamp::now();
    let t = std::time::Instant::now();
    let n = 5_000_000;
    for _ in 0..n {
        assert!(verify_proof(black_box(&proof), black_box(&app), now));
    }
    println!("{:.0} ns", t.elapsed().as_nanos() as f64 / n as f64);
}

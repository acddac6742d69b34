//! `--store` URLs of the Redis backend: parsing never panics, and every connection URL
//! it derives is one the redis crate accepts or refuses cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrlogin_store::redis::fuzzing::parse_url;

fuzz_target!(|data: &[u8]| {
    let Ok(url) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(urls) = parse_url(url) {
        for u in urls {
            let _ = redis::Client::open(u.as_str());
        }
    }
});

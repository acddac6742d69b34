//! The device a PC or a phone describes in its JSON body: any body either fails to parse
//! or its device validates to a normalised form that validates to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrlogin_core::api::{CreateQrRequest, LoginRequest};
use qrlogin_core::{validate_device, DeviceInfo, DeviceRule};

fn check(d: DeviceInfo, rule: DeviceRule) {
    if let Ok(once) = validate_device(d, rule) {
        let twice = validate_device(once.clone(), rule).expect("a valid device stays valid");
        assert_eq!(once, twice, "validation is not idempotent");
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<CreateQrRequest>(data) {
        if let Some(d) = req.device {
            check(d, DeviceRule::Optional);
        }
    }
    if let Ok(req) = serde_json::from_slice::<LoginRequest>(data) {
        check(req.device, DeviceRule::IdAndType);
    }
});

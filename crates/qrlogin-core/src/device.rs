//! The one rule for device text, for the PC's `device` and the phone's alike: every
//! field at most [`MAX_DEVICE_FIELD`] characters, blank fields absent; the name cleaned
//! of bidi and control tricks ([`crate::text`]), the id and type refused if they hold any. A phone must also
//! name its device (`id` and `type`), since its token is bound to them.

use crate::state::DeviceInfo;

/// Longest accepted device field, in characters.
pub const MAX_DEVICE_FIELD: usize = 128;

/// Why a device description was refused; the text is the client-facing detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidDevice(pub String);

/// Whether `id` and `type` must be present (a phone) or may be left out (a PC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceRule {
    /// Every field optional (the PC).
    Optional,
    /// `id` and `type` required (the phone, whose token is bound to them).
    IdAndType,
}

fn field(name: &str, v: Option<String>, required: bool) -> Result<Option<String>, InvalidDevice> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match v {
        // An id or type is compared with the phone's headers later, so it is refused,
        // not silently changed, when it holds characters that hide or reorder text.
        Some(s) if name != "device.name" && s.chars().any(crate::text::is_hidden) => Err(
            InvalidDevice(format!("{name} contains control or bidi characters")),
        ),
        Some(s) if s.chars().count() > MAX_DEVICE_FIELD => Err(InvalidDevice(format!(
            "{name} is longer than {MAX_DEVICE_FIELD} characters"
        ))),
        None if required => Err(InvalidDevice(format!("{name} is required"))),
        v => Ok(v),
    }
}

/// Checks and normalises (trims, drops blanks) a device description under `rule`.
pub fn validate_device(d: DeviceInfo, rule: DeviceRule) -> Result<DeviceInfo, InvalidDevice> {
    let required = rule == DeviceRule::IdAndType;
    Ok(DeviceInfo {
        id: field("device.id", d.id, required)?,
        kind: field("device.type", d.kind, required)?,
        // The name is only shown (to the phone): cleaned, never refused for its text.
        name: field(
            "device.name",
            d.name.map(|n| crate::text::clean_display_text(&n)),
            false,
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(id: &str, kind: &str, name: &str) -> DeviceInfo {
        DeviceInfo {
            id: Some(id.into()),
            kind: Some(kind.into()),
            name: Some(name.into()),
        }
    }

    #[test]
    fn a_name_of_129_characters_is_refused_for_pc_and_phone_alike() {
        let long = "n".repeat(129);
        for rule in [DeviceRule::Optional, DeviceRule::IdAndType] {
            let e = validate_device(dev("d", "ios", &long), rule).unwrap_err();
            assert_eq!(e.0, "device.name is longer than 128 characters");
        }
        let ok = validate_device(dev("d", "ios", &"n".repeat(128)), DeviceRule::IdAndType);
        assert!(ok.is_ok());
    }

    #[test]
    fn a_phone_must_name_id_and_type_and_blank_fields_become_absent() {
        let e = validate_device(dev(" ", "ios", "x"), DeviceRule::IdAndType).unwrap_err();
        assert_eq!(e.0, "device.id is required");
        let pc = validate_device(dev(" ", "web", ""), DeviceRule::Optional).unwrap();
        assert_eq!((pc.id, pc.name), (None, None));
    }
}

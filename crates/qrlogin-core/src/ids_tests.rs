//! Ids and secrets: shape, randomness, redaction, hashing.

use super::*;

#[test]
fn a_generated_qr_id_is_22_base64url_chars_and_parses_back() {
    let id = QrId::generate();
    assert_eq!(id.as_str().len(), 22);
    assert_eq!(QrId::parse(id.as_str()).unwrap(), id);
}

#[test]
fn generated_qr_ids_do_not_repeat() {
    let ids: std::collections::HashSet<_> = (0..10_000).map(|_| QrId::generate()).collect();
    assert_eq!(ids.len(), 10_000);
}

#[test]
fn malformed_qr_ids_are_rejected() {
    for bad in [
        "",
        "short",
        "pB3aaaaaaaaaaaaaaaaaa!",
        "aaaaaaaaaaaaaaaaaaaaaaa",
        "../../etc/passwd",
    ] {
        assert!(QrId::parse(bad).is_err(), "{bad:?} accepted");
    }
    // Non-canonical: last char carries non-zero padding bits.
    assert!(QrId::parse("AAAAAAAAAAAAAAAAAAAAAB").is_err());
    assert!(QrId::parse("AAAAAAAAAAAAAAAAAAAAAA").is_ok());
}

#[test]
fn a_qr_id_parses_exactly_when_it_is_the_canonical_encoding_of_16_bytes() {
    // Every possible last character: accepted iff decoding and encoding again gives
    // the same text (what parse checked before it stopped allocating).
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for last in alphabet.chars() {
        let text = format!("pB3xYz09-_AAAAAAAAAAA{last}");
        let canonical = URL_SAFE_NO_PAD
            .decode(&text)
            .is_ok_and(|b| b.len() == 16 && URL_SAFE_NO_PAD.encode(&b) == text);
        assert_eq!(QrId::parse(&text).is_ok(), canonical, "{text}");
    }
}

#[test]
fn parse_hash_hashes_what_parse_accepts_and_refuses_the_rest() {
    let secret = Secret::generate(SecretKind::Poll);
    let text = secret.expose();
    assert_eq!(
        Secret::parse_hash(SecretKind::Poll, text),
        Ok(secret.hash())
    );
    assert!(
        Secret::parse_hash(SecretKind::Mobile, text).is_err(),
        "wrong kind"
    );
    assert!(Secret::parse_hash(SecretKind::Poll, &text[..text.len() - 1]).is_err());
    assert!(Secret::parse_hash(SecretKind::Poll, &format!("{text}!")).is_err());
}

#[test]
fn secrets_carry_their_prefix_and_256_bits() {
    for kind in [
        SecretKind::Poll,
        SecretKind::ScanTicket,
        SecretKind::Mobile,
        SecretKind::Session,
    ] {
        let s = Secret::generate(kind);
        assert!(s.expose().starts_with(kind.prefix()));
        assert_eq!(s.expose().len(), 4 + 43);
        assert_eq!(Secret::parse(kind, s.expose()).unwrap(), s);
    }
}

#[test]
fn a_secret_of_one_kind_does_not_parse_as_another() {
    let s = Secret::generate(SecretKind::Poll);
    assert!(Secret::parse(SecretKind::Session, s.expose()).is_err());
}

#[test]
fn a_secret_never_prints_in_clear() {
    let s = Secret::generate(SecretKind::Mobile);
    let shown = format!("{s:?}");
    assert!(!shown.contains(&s.expose()[4..]));
}

#[test]
fn hashes_compare_by_value_and_round_trip_through_hex() {
    let s = Secret::generate(SecretKind::Poll);
    let h = s.hash();
    assert_eq!(TokenHash::from_hex(&h.to_hex()), Some(h));
    assert_ne!(Secret::generate(SecretKind::Poll).hash(), h);
    assert_eq!(TokenHash::from_hex("zz"), None);
}

//! Manual activation codes: the server generates them (an organizer cannot pick a weak one),
//! they are stored only as a keyed hash, and wrong guesses are counted per ticket and device
//! so a code cannot be found by trying.

use hmac::Mac;
use rand::Rng;

/// Characters of a generated code: no 0/O, 1/I/L, so a code read aloud at a venue is typed right.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Length of a generated code: 31^8, about 2^39.6 codes, against at most
/// [`MAX_WRONG_TRIES`] guesses per ticket and device per window.
pub(crate) const CODE_LENGTH: usize = 8;
/// Wrong codes one device may try on one ticket within [`WINDOW_MS`] before it must wait.
pub(crate) const MAX_WRONG_TRIES: i64 = 5;
/// The window wrong tries are counted over.
pub(crate) const WINDOW_MS: i64 = 15 * 60_000;

/// A new code from the operating system's random source.
pub(crate) fn generate() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LENGTH).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect()
}

/// What a typed code is compared as: case, spaces and dashes do not matter.
fn normalize(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// The keyed hash a manual activation code is stored and compared as.
pub(crate) fn code_hash(key: &tixbridge_vault::ServerKey, event_pk: i64, code: &str) -> Vec<u8> {
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.derive("wallet-manual-code"))
        .expect("HMAC takes any key length");
    mac.update(format!("{event_pk}:{}", normalize(code)).as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The 429 message once the tries are used up: when the oldest try in the window leaves it.
pub(crate) fn too_many(oldest_try_ms: i64, now_ms: i64) -> String {
    let wait_ms = (oldest_try_ms + WINDOW_MS - now_ms).max(0);
    format!(
        "too many wrong activation codes for this ticket on this device (at most {MAX_WRONG_TRIES} per {} minutes): \
         try again in {} minute(s)",
        WINDOW_MS / 60_000,
        (wait_ms / 60_000 + 1).min(WINDOW_MS / 60_000)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_long_from_the_alphabet_and_compare_loosely() {
        let code = generate();
        assert_eq!(code.len(), CODE_LENGTH);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        assert_ne!(generate(), code);
        let key = tixbridge_vault::ServerKey::from_bytes([1; 32]);
        let spaced = format!(" {}-{} ", &code[..4].to_lowercase(), &code[4..]);
        assert_eq!(code_hash(&key, 1, &spaced), code_hash(&key, 1, &code));
        assert_ne!(code_hash(&key, 2, &code), code_hash(&key, 1, &code), "bound to the event");
    }
}

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// `Base64(HMAC-SHA256(key = client secret, message = username ‖ client id))`, standard
/// alphabet with padding (spec §4.1). The username is the exact string sent as `Username`.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::secret_hash;

    // Vectors computed independently with Python's standard library:
    //   base64.b64encode(hmac.new(secret, (username + client_id).encode(), hashlib.sha256).digest())
    #[test]
    fn matches_independently_computed_vectors() {
        assert_eq!(
            secret_hash("secret-key-123", "alice", "3n4b5urk1ft4fl3mg5e62d9ado"),
            "I8YH7JeNHNbtn4qMaw4+l2+33ifRi+6GHeikSbRG+BY="
        );
        assert_eq!(
            secret_hash(
                "1example23456789abcdefghijklmnopqrstuvwxyz0123456789",
                "diego@example.com",
                "3n4b5urk1ft4fl3mg5e62d9ado"
            ),
            "ZOoQ1+IcSiLdeebf6bXSBCerLih/8BO6ZBgsff6/mcE="
        );
        // Non-ASCII usernames are hashed as UTF-8.
        assert_eq!(
            secret_hash("k", "jos\u{e9}", "c1"),
            "G/tlcfLzK2zt77RtysnA1Htu20zs9EH2PKk/svUcroE="
        );
    }

    #[test]
    fn order_of_username_and_client_id_matters() {
        assert_ne!(secret_hash("k", "ab", "c"), secret_hash("k", "c", "ab"));
    }
}

//! The fetch standard's "bad port" list. Browsers refuse to connect to
//! these ports: as the standard says, the constructor returns and the
//! connection fails (an error event, then a close event with 1006, which
//! does not say why). The sockets of this crate do the same; an app can
//! use [`is_blocked_port`] to explain such a failure to its user.

/// Ports a browser will not connect to (fetch standard, "port blocking").
pub const BLOCKED_PORTS: [u16; 82] = [
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102,
    103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465,
    512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993,
    995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668,
    6669, 6679, 6697, 10080,
];

/// True if browsers refuse to connect to `port`.
///
/// ```
/// assert!(wasm_websocket::is_blocked_port(25));
/// assert!(!wasm_websocket::is_blocked_port(8080));
/// ```
pub fn is_blocked_port(port: u16) -> bool {
    BLOCKED_PORTS.binary_search(&port).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_so_binary_search_works() {
        assert!(BLOCKED_PORTS.windows(2).all(|w| w[0] < w[1]));
        for port in [1, 25, 6697, 10080, 4190, 6679] {
            assert!(is_blocked_port(port), "{port}");
        }
        for port in [0, 80, 443, 8080, 8765, 10081, 65535] {
            assert!(!is_blocked_port(port), "{port}");
        }
    }
}

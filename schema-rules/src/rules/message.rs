//! A message as the constant evaluator can hold it: pieces of text and numbers, assembled in a
//! fixed buffer, since a `const` item cannot allocate or format.

/// One piece of a message: text, or a number the constant evaluator cannot format.
#[derive(Clone, Copy, Debug)]
pub enum Piece<'a> {
    /// Text, as is.
    Text(&'a str),
    /// A number, in decimal.
    Number(usize),
}

/// The most pieces a message has.
pub(crate) const PIECES: usize = 17;

/// A message's pieces, padded with empty text.
pub type Pieces<'a> = [Piece<'a>; PIECES];

pub(crate) const fn pieces<'a, const N: usize>(parts: [Piece<'a>; N]) -> Pieces<'a> {
    assert!(N <= PIECES, "a message has more pieces than PIECES");
    let mut out = [Piece::Text(""); PIECES];
    let mut i = 0;
    while i < N {
        out[i] = parts[i];
        i += 1;
    }
    out
}

/// Room for one message; a longer one is cut, at a character boundary.
const MESSAGE_BYTES: usize = 1024;

/// A message assembled in a fixed buffer, for the constant evaluator, which cannot allocate.
pub struct Message {
    buf: [u8; MESSAGE_BYTES],
    len: usize,
}

impl Message {
    /// The message of `pieces`.
    pub const fn of(pieces: Pieces<'_>) -> Self {
        let mut message = Message {
            buf: [0; MESSAGE_BYTES],
            len: 0,
        };
        let mut p = 0;
        while p < PIECES {
            match pieces[p] {
                Piece::Text(text) => message.push(text.as_bytes()),
                Piece::Number(n) => message.push_number(n),
            }
            p += 1;
        }
        message
    }

    const fn push(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() && self.len < MESSAGE_BYTES {
            self.buf[self.len] = bytes[i];
            self.len += 1;
            i += 1;
        }
    }

    const fn push_number(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let (mut n, mut count) = (n, 0);
        loop {
            digits[digits.len() - 1 - count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let (_, used) = digits.split_at(digits.len() - count);
        self.push(used);
    }

    /// The text so far.
    pub const fn as_str(&self) -> &str {
        let mut len = self.len;
        // A cut in the middle of a multi-byte character is backed off to its start.
        while len > 0 {
            let (head, _) = self.buf.split_at(len);
            if let Ok(text) = std::str::from_utf8(head) {
                return text;
            }
            len -= 1;
        }
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut m = Message::of([Piece::Text(""); PIECES]);
        m.push_number(0);
        m.push_number(1024);
        assert_eq!(m.as_str(), "01024");
    }
}

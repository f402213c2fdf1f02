//! Line endings of import files: Windows CRLF files read as if they ended lines with LF alone.
//!
//! The CSV reader counts a line at each `\n` it consumes, but it ends a CRLF record at the
//! `\r` and only consumes that record's `\n` when it starts reading the next one: every row of
//! a CRLF file would then be reported one line too early (and more after quoted fields
//! spanning lines). Turning each `\r\n` into `\n` before the reader sees it keeps the line
//! numbers of bad rows true whatever the file's line endings. A `\r\n` inside a quoted field
//! becomes `\n`, which the import's fields (codes, names, e-mails) never need.

use std::io::{BufRead, BufReader, Read};

/// A reader giving the bytes of `inner` with every `\r\n` replaced by `\n`; a lone `\r` is kept.
pub(crate) struct CrlfAsLf<R> {
    inner: BufReader<R>,
    /// A `\r` read but not yet given out: whether it is dropped depends on the next byte.
    pending_cr: bool,
}

impl<R: Read> CrlfAsLf<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { inner: BufReader::with_capacity(64 * 1024, inner), pending_cr: false }
    }
}

impl<R: Read> Read for CrlfAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let input = self.inner.fill_buf()?;
            if input.is_empty() {
                // the file ends with a lone `\r`: give it out as it was
                if std::mem::take(&mut self.pending_cr) {
                    out[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            let (mut taken, mut given) = (0, 0);
            while taken < input.len() && given < out.len() {
                let byte = input[taken];
                if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
                    out[given] = b'\r';
                    given += 1;
                    continue;
                }
                taken += 1;
                if byte == b'\r' {
                    self.pending_cr = true;
                } else {
                    out[given] = byte;
                    given += 1;
                }
            }
            self.inner.consume(taken);
            if given > 0 {
                return Ok(given);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(text: &[u8], chunk: usize) -> Vec<u8> {
        let mut reader = CrlfAsLf::new(text);
        let mut all = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                return all;
            }
            all.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn crlf_becomes_lf_and_a_lone_cr_stays_whatever_the_read_size() {
        for chunk in [1, 2, 3, 1024] {
            assert_eq!(through(b"a,b\r\nc,\"d\r\ne\"\r\n", chunk), b"a,b\nc,\"d\ne\"\n");
            assert_eq!(through(b"x\ry\r\r\nz\r", chunk), b"x\ry\r\nz\r");
        }
    }
}

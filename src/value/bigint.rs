//! `java.math.BigInteger` values that keep their decimal digits: a number read from a
//! payload or a template is mostly printed as written, and converting decimal text to
//! binary (or back) takes time quadratic in its length. The value is converted when an
//! operation first needs it, and that work counts against the render's budget.

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{ToPrimitive, Zero};

/// A shared `BigInteger`: its canonical decimal text (`-?[1-9][0-9]*|0`), its value, or
/// both, each made from the other on first use.
#[derive(Clone)]
pub struct BigInteger(Rc<Repr>);

struct Repr {
    text: OnceCell<Box<str>>,
    value: OnceCell<BigInt>,
}

/// Digits up to which a conversion is free: it costs less than reading them.
const FREE_DIGITS: usize = 1000;
/// Digits past which a number certainly has more than a million bits (2^1000000 has
/// 301030 digits), the most arithmetic takes: no need to convert to know.
const MILLION_BITS_DIGITS: usize = 302_000;

impl BigInteger {
    /// The integer written `text` (`-?[0-9]+`; leading zeros are dropped), unconverted.
    pub(crate) fn from_digits(text: &str) -> Option<BigInteger> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = digits.trim_start_matches('0');
        let canonical = match (digits.is_empty(), negative) {
            (true, _) => "0".into(),
            (false, true) => format!("-{digits}").into_boxed_str(),
            (false, false) => digits.into(),
        };
        Some(BigInteger(Rc::new(Repr {
            text: OnceCell::from(canonical),
            value: OnceCell::new(),
        })))
    }

    /// Java's `toString()`.
    pub(crate) fn text(&self) -> &str {
        self.0.text.get_or_init(|| {
            let value = self.0.value.get().expect("a number has text or a value");
            value.to_string().into_boxed_str()
        })
    }

    fn digits(&self) -> Option<usize> {
        let text = self.0.text.get()?;
        Some(text.len() - usize::from(text.starts_with('-')))
    }

    /// The value's bits (as `BigInt::bits`); for a number too long to need converting, a
    /// lower bound past a million.
    pub fn bits(&self) -> u64 {
        match self.digits() {
            Some(d) if self.0.value.get().is_none() && d > MILLION_BITS_DIGITS => {
                // log2(10) > 3.32
                (d as u64 - 1) * 332 / 100
            }
            _ => self.value().bits(),
        }
    }

    /// The sign, without converting.
    pub fn sign(&self) -> Sign {
        match self.0.text.get() {
            Some(t) if t.as_ref() == "0" => Sign::NoSign,
            Some(t) if t.starts_with('-') => Sign::Minus,
            Some(_) => Sign::Plus,
            None => self.value().sign(),
        }
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.sign() == Sign::NoSign
    }

    /// `doubleValue()`: the nearest double, infinite past the range.
    pub fn to_f64(&self) -> Option<f64> {
        match self.0.text.get() {
            Some(t) => t.parse().ok(),
            None => self.value().to_f64(),
        }
    }

    /// The low 64 bits of the two's complement form (`longValue()`).
    pub(crate) fn low_u64(&self) -> u64 {
        if let Some(v) = self.0.value.get() {
            return (v & BigInt::from(u64::MAX)).to_u64().unwrap_or(0);
        }
        let text = self.text();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        let magnitude = digits.bytes().fold(0u64, |n, b| {
            n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        });
        if negative {
            magnitude.wrapping_neg()
        } else {
            magnitude
        }
    }

    /// The binary value, converted on first use. Converting a long text burns the render's
    /// work (quadratic in its length); a render without that much left gets zero, as it
    /// fails at its next step anyway.
    fn value(&self) -> &BigInt {
        self.0.value.get_or_init(|| {
            let text = self.0.text.get().expect("a number has text or a value");
            let d = text.len();
            if d > FREE_DIGITS && !crate::limits::burn(d / 100 * (d / 200)) {
                return BigInt::zero();
            }
            text.parse().unwrap_or_default()
        })
    }
}

impl From<BigInt> for BigInteger {
    fn from(value: BigInt) -> BigInteger {
        BigInteger(Rc::new(Repr {
            text: OnceCell::new(),
            value: OnceCell::from(value),
        }))
    }
}

impl Deref for BigInteger {
    type Target = BigInt;
    fn deref(&self) -> &BigInt {
        self.value()
    }
}

impl fmt::Display for BigInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl fmt::Debug for BigInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

/// Equality and order of canonical texts: no conversion.
impl PartialEq for BigInteger {
    fn eq(&self, other: &BigInteger) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || self.text() == other.text()
    }
}

impl Eq for BigInteger {}

impl Hash for BigInteger {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text().hash(state);
    }
}

/// Orders two canonical decimal texts of integers by value.
pub(crate) fn cmp_texts(a: &str, b: &str) -> Ordering {
    match (a.strip_prefix('-'), b.strip_prefix('-')) {
        (Some(x), Some(y)) => cmp_magnitudes(y, x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => cmp_magnitudes(a, b),
    }
}

fn cmp_magnitudes(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_value_agree() {
        for text in [
            "0",
            "-0",
            "007",
            "-12345678901234567890123",
            "18446744073709551617",
        ] {
            let lazy = BigInteger::from_digits(text).unwrap();
            let exact: BigInt = text.parse().unwrap();
            assert_eq!(lazy.text(), exact.to_string());
            assert_eq!(lazy.sign(), exact.sign());
            assert_eq!(
                lazy.low_u64(),
                BigInteger::from(exact.clone()).low_u64(),
                "{text}"
            );
            assert_eq!(*lazy, exact);
            assert_eq!(lazy, BigInteger::from(exact));
        }
        assert_eq!(cmp_texts("-5", "3"), Ordering::Less);
        assert_eq!(cmp_texts("-50", "-6"), Ordering::Less);
        assert_eq!(cmp_texts("100", "99"), Ordering::Greater);
    }
}

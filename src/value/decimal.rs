//! `java.math.BigDecimal`, which Velocity's arithmetic uses when a `BigInteger` meets a
//! `Double`: exact decimal values built with `new BigDecimal(double)`.

use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, Zero};

use super::BigInteger;

/// A decimal number: `unscaled × 10^-scale`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigDecimal {
    /// Kept as text when read from text, as printing needs no conversion.
    unscaled: BigInteger,
    scale: i64,
}

/// The message of Java's `NumberFormatException` for a non-finite double.
pub(crate) const NOT_FINITE: &str = "Infinite or NaN";

impl BigDecimal {
    /// An integer as a decimal of scale 0.
    pub(crate) fn from_int(n: BigInt) -> BigDecimal {
        BigDecimal {
            unscaled: n.into(),
            scale: 0,
        }
    }

    /// `new BigDecimal(double)`: the double's exact binary value, in decimal.
    pub(crate) fn from_f64(d: f64) -> Result<BigDecimal, &'static str> {
        if !d.is_finite() {
            return Err(NOT_FINITE);
        }
        if d == 0.0 {
            return Ok(BigDecimal::from_int(BigInt::zero()));
        }
        let bits = d.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i32;
        let mut mantissa = bits & ((1 << 52) - 1);
        let mut exp = if exponent == 0 {
            -1074
        } else {
            mantissa |= 1 << 52;
            exponent - 1075
        };
        while mantissa & 1 == 0 && exp < 0 {
            mantissa >>= 1;
            exp += 1;
        }
        let sign = if d < 0.0 { Sign::Minus } else { Sign::Plus };
        let m = BigInt::from_biguint(sign, mantissa.into());
        Ok(if exp >= 0 {
            BigDecimal::from_int(m << exp as usize)
        } else {
            // m / 2^k = m * 5^k / 10^k
            let k = (-exp) as u32;
            BigDecimal {
                unscaled: (m * BigInt::from(5).pow(k)).into(),
                scale: i64::from(k),
            }
        })
    }

    /// `new BigDecimal(text)`: `-12.5e3` and the like, keeping every digit.
    pub(crate) fn parse(text: &str) -> Option<BigDecimal> {
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().ok()?),
            None => (text, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let unscaled = BigInteger::from_digits(&format!("{int}{frac}"))?;
        Some(BigDecimal {
            unscaled,
            scale: (frac.len() as i64).checked_sub(exp)?,
        })
    }

    fn rescaled(&self, scale: i64) -> BigInt {
        &*self.unscaled * BigInt::from(10).pow((scale - self.scale) as u32)
    }

    /// `a + b` (`negate` for `a - b`), exact.
    pub(crate) fn add(&self, other: &BigDecimal, negate: bool) -> BigDecimal {
        let scale = self.scale.max(other.scale);
        let b = other.rescaled(scale);
        BigDecimal {
            unscaled: (self.rescaled(scale) + if negate { -b } else { b }).into(),
            scale,
        }
    }

    /// `a * b`, exact.
    pub(crate) fn mul(&self, other: &BigDecimal) -> BigDecimal {
        BigDecimal {
            unscaled: (&*self.unscaled * &*other.unscaled).into(),
            scale: self.scale + other.scale,
        }
    }

    /// `a.divide(b, ROUND_HALF_DOWN)`: the quotient at the scale of `a`. `b` must not be 0.
    pub(crate) fn div_half_down(&self, other: &BigDecimal) -> BigDecimal {
        // q = (ua * 10^-sa) / (ub * 10^-sb) * 10^sa = ua * 10^sb / ub
        let ten = |k: i64| BigInt::from(10).pow(k.unsigned_abs() as u32);
        let (numerator, denominator) = if other.scale >= 0 {
            (
                &*self.unscaled * ten(other.scale),
                (*other.unscaled).clone(),
            )
        } else {
            (
                (*self.unscaled).clone(),
                &*other.unscaled * ten(other.scale),
            )
        };
        let q = &numerator / &denominator;
        let r = &numerator % &denominator;
        let q = if r.abs() * 2 > denominator.abs() {
            if numerator.sign() == denominator.sign() {
                q + 1
            } else {
                q - 1
            }
        } else {
            q
        };
        BigDecimal {
            unscaled: q.into(),
            scale: self.scale,
        }
    }

    /// Numeric comparison, regardless of scale.
    pub(crate) fn cmp_value(&self, other: &BigDecimal) -> Ordering {
        let scale = self.scale.max(other.scale);
        self.rescaled(scale).cmp(&other.rescaled(scale))
    }

    /// Whether arithmetic with `other` stays of a reasonable size: Java would spend
    /// unbounded time on `1e999999999 + 1`; this crate refuses.
    pub(crate) fn fits_with(&self, other: &BigDecimal) -> bool {
        const MAX_SCALE: i64 = 100_000;
        const MAX_BITS: u64 = 1_000_000;
        self.scale.abs() <= MAX_SCALE * 10
            && other.scale.abs() <= MAX_SCALE * 10
            && (self.scale - other.scale).abs() <= MAX_SCALE
            && self.unscaled.bits() + other.unscaled.bits() <= MAX_BITS
    }

    /// Whether the value is zero.
    pub(crate) fn is_zero(&self) -> bool {
        self.unscaled.is_zero()
    }

    /// `toBigInteger()`, truncated toward zero, as far as its low 64 bits go: a power of
    /// ten of 64 or more has 64 zero bits at the end, so past it they are all zero.
    pub(crate) fn truncated_low_bits(&self) -> BigInt {
        if self.scale <= -64 {
            return BigInt::zero();
        }
        if self.scale <= 0 {
            return &*self.unscaled * BigInt::from(10u8).pow((-self.scale) as u32);
        }
        // 10^scale exceeds any value of fewer bits than `scale`.
        if self.scale as u64 > self.unscaled.bits() {
            return BigInt::zero();
        }
        &*self.unscaled / BigInt::from(10u8).pow(self.scale as u32)
    }

    /// The nearest double.
    pub(crate) fn to_f64(&self) -> f64 {
        self.to_java_string().parse().unwrap_or(f64::NAN)
    }

    /// Java's `BigDecimal.toString()`: plain unless the exponent is below -6.
    pub fn to_java_string(&self) -> String {
        let text = self.unscaled.text();
        let digits = text.strip_prefix('-').unwrap_or(text);
        let sign = if digits.len() < text.len() { "-" } else { "" };
        let scale = i128::from(self.scale);
        let adjusted = -scale + digits.len() as i128 - 1;
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        if scale > 0 && adjusted >= -6 {
            let len = digits.len() as i128;
            return if len > scale {
                let (int, frac) = digits.split_at((len - scale) as usize);
                format!("{sign}{int}.{frac}")
            } else {
                format!("{sign}0.{}{digits}", "0".repeat((scale - len) as usize))
            };
        }
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let plus = if adjusted > 0 { "+" } else { "" };
        format!("{sign}{first}{point}E{plus}{adjusted}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_doubles_and_division() {
        assert_eq!(
            BigDecimal::from_f64(0.1).unwrap().to_java_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(BigDecimal::from_f64(2.0).unwrap().to_java_string(), "2");
        let big = BigDecimal::from_int(BigInt::from(9_223_372_036_854_775_808u64));
        let q = big.div_half_down(&BigDecimal::from_f64(3.0).unwrap());
        assert_eq!(q.to_java_string(), "3074457345618258603");
    }
}

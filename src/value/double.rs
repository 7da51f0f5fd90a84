//! Java 17's `Double.toString`, byte for byte.
//!
//! Up to JDK 18, `Double.toString` is `FloatingDecimal`'s algorithm, which is not a shortest
//! round-trip conversion: integers below 2^63 print their exact value rounded to a fixed number
//! of digits (`5.4025675187845587E17`), everything else comes from a Steele & White digit loop
//! with a symmetric stopping test (`9.999999999999999E22` for 1e23), and the E-form always
//! generates a second digit. Templates must print what API Gateway prints, so this follows that
//! algorithm step by step, including the overflow behaviour of its `long` shortcut.

use std::cmp::Ordering;
use std::fmt::Write;
use std::ops::{AddAssign, Shl, SubAssign};

use num_bigint::BigUint;

const SIGNIFICAND_MASK: u64 = (1 << 52) - 1;

/// 5^0 ..= 5^26, the powers of five that fit a Java `long`.
const POW5: [u64; 27] = {
    let mut t = [1u64; 27];
    let mut i = 1;
    while i < t.len() {
        t[i] = t[i - 1] * 5;
        i += 1;
    }
    t
};

/// Appends Java's `Double.toString(d)` to `out`.
pub(crate) fn write_double(d: f64, out: &mut String) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_sign_negative() {
        out.push('-');
    }
    if d.is_infinite() {
        out.push_str("Infinity");
    } else if d == 0.0 {
        out.push_str("0.0");
    } else {
        Digits::of(d.abs()).write(out);
    }
}

/// Decimal digits and exponent: the value is `0.d1d2…dn × 10^exp`.
struct Digits {
    buf: [u8; 20],
    len: usize,
    exp: i32,
}

impl Digits {
    /// Java's `FloatingDecimal.dtoa` for a positive finite `d`.
    fn of(d: f64) -> Digits {
        let bits = d.to_bits();
        let biased = (bits >> 52) as i32;
        let mut fract = bits & SIGNIFICAND_MASK;
        // Subnormals are normalised so that the leading one sits where the hidden bit would.
        let (bin_exp, n_sig) = if biased == 0 {
            let shift = fract.leading_zeros() as i32 - 11;
            fract <<= shift;
            (1 - shift - 1023, 53 - shift)
        } else {
            fract |= 1 << 52;
            (biased - 1023, 53)
        };
        let mut digits = Digits {
            buf: [0; 20],
            len: 0,
            exp: 0,
        };
        let tail_zeros = fract.trailing_zeros() as i32;
        let n_fract_bits = 53 - tail_zeros;
        let n_tiny_bits = (n_fract_bits - bin_exp - 1).max(0);
        if n_tiny_bits == 0 && bin_exp <= 62 {
            digits.integer(fract, bin_exp, n_sig);
            return digits;
        }

        digits.exp = estimate_dec_exp(fract, bin_exp);
        let b5 = (-digits.exp).max(0);
        let s5 = digits.exp.max(0);
        let m5 = b5;
        let mut b2 = b5 + n_tiny_bits + bin_exp;
        let mut s2 = s5 + n_tiny_bits;
        let mut m2 = b2 - n_sig;
        fract >>= tail_zeros;
        b2 -= n_fract_bits - 1;
        let common = b2.min(s2);
        b2 -= common;
        s2 -= common;
        m2 -= common;
        // Java's "hack" for powers of two: the gap below is half the gap above, and the
        // stopping test is symmetric, so it uses the smaller one on both sides.
        if n_fract_bits == 1 {
            m2 -= 1;
        }
        if m2 < 0 {
            b2 -= m2;
            s2 -= m2;
            m2 = 0;
        }
        let (b5, s5, m5) = (b5 as u32, s5 as u32, m5 as u32);
        let (b2, s2, m2) = (b2 as u32, s2 as u32, m2 as u32);
        // Java's size estimates pick the arithmetic, and the `long` loop differs from the
        // exact one where it overflows, so the same estimates must pick the same loop.
        let b_bits = n_fract_bits as u32 + b2 + pow5_bits(b5);
        let ten_s_bits = s2 + 1 + pow5_bits(s5 + 1);
        // Java also has an `int` loop, for B and 10·S below 2^31, which a double never reaches:
        // the M scaling makes B at least 2^53, or 5^307 for a subnormal.
        if b_bits < 64 && ten_s_bits < 64 {
            let b = (fract * POW5[b5 as usize]) << b2;
            let s = POW5[s5 as usize] << s2;
            let m = POW5[m5 as usize] << m2;
            digits.long_loop(b as i64, s as i64, m as i64);
        } else if b_bits < 120 && ten_s_bits < 120 {
            // B and 10·S below 2^120 leave room for M, which stays under 100 times either.
            digits.exact_loop::<u128>(fract, [b5, b2, s5, s2, m5, m2]);
        } else {
            digits.exact_loop::<BigUint>(fract, [b5, b2, s5, s2, m5, m2]);
        }
        digits
    }

    /// Java's easy case, an integer below 2^63: its exact digits, except that from 2^56 up the
    /// last one or two are rounded off, a count that depends only on the binary exponent.
    fn integer(&mut self, fract: u64, bin_exp: i32, n_sig: i32) {
        let mut value = if bin_exp >= 52 {
            fract << (bin_exp - 52)
        } else {
            fract >> (52 - bin_exp)
        };
        let insignificant = if bin_exp > n_sig {
            (1u64 << (bin_exp - n_sig - 1)).ilog10()
        } else {
            0
        };
        if insignificant > 0 {
            let pow10 = 10u64.pow(insignificant);
            let residue = value % pow10;
            value /= pow10;
            if residue >= pow10 / 2 {
                value += 1;
            }
        }
        self.exp = (value.ilog10() + 1 + insignificant) as i32;
        while value % 10 == 0 {
            value /= 10;
        }
        self.len = value.ilog10() as usize + 1;
        for slot in self.buf[..self.len].iter_mut().rev() {
            *slot = (value % 10) as u8;
            value /= 10;
        }
    }

    /// Java's digit loop in `long` arithmetic, wrapping where Java wraps.
    fn long_loop(&mut self, mut b: i64, s: i64, mut m: i64) {
        let tens = s * 10;
        let q = b / s;
        b = 10 * (b % s);
        m = m.wrapping_mul(10);
        let mut low = b < m;
        let mut high = b.wrapping_add(m) > tens;
        self.first_digit(q as u8, &mut low, &mut high);
        while !low && !high {
            let q = b / s;
            b = 10 * (b % s);
            m = m.wrapping_mul(10);
            // Java's guard for an overflowed M: stop, and let the last digit be rounded.
            if m > 0 {
                low = b < m;
                high = b.wrapping_add(m) > tens;
            } else {
                low = true;
                high = true;
            }
            self.push(q as u8);
        }
        let low_digit_difference = (b << 1).wrapping_sub(tens);
        self.finish(low, high, low_digit_difference.cmp(&0));
    }

    /// Java's digit loop in `FDBigInteger` arithmetic, which is exact. Note that its test for
    /// stopping high is `B + M >= 10·S`, where the `long` loop tests `>`.
    fn exact_loop<T: Natural>(&mut self, fract: u64, [b5, b2, s5, s2, m5, m2]: [u32; 6]) {
        let mut b = T::pow52(fract, b5, b2);
        let s = T::pow52(1, s5, s2);
        let tens = T::pow52(1, s5 + 1, s2 + 1);
        // M is kept scaled by ten, like B after each quotient.
        let mut m = T::pow52(1, m5 + 1, m2 + 1);
        let next_digit = |b: &mut T| {
            let mut q = 0;
            while *b >= s {
                *b -= &s;
                q += 1;
            }
            b.mul_small(10);
            q
        };
        let mut sum = b.clone();
        let mut high = |b: &T, m: &T| {
            sum.clone_from(b);
            sum += m;
            sum >= tens
        };
        let q = next_digit(&mut b);
        let mut low = b < m;
        let mut stop_high = high(&b, &m);
        self.first_digit(q, &mut low, &mut stop_high);
        while !low && !stop_high {
            let q = next_digit(&mut b);
            m.mul_small(10);
            low = b < m;
            stop_high = high(&b, &m);
            self.push(q);
        }
        self.finish(low, stop_high, (b << 1).cmp(&tens));
    }

    /// Takes the loop's first quotient. `exp` still holds the estimated decimal exponent,
    /// which may be one too high; a zero quotient then tells so.
    fn first_digit(&mut self, q: u8, low: &mut bool, high: &mut bool) {
        if q == 0 && !*high {
            self.exp -= 1;
        } else {
            self.push(q);
        }
        // The E-form needs a digit after the point, so the loop must not stop at one digit.
        if self.exp < -3 || self.exp >= 8 {
            *low = false;
            *high = false;
        }
    }

    fn push(&mut self, q: u8) {
        self.buf[self.len] = q;
        self.len += 1;
    }

    /// Rounds the last digit the way the loop's stopping condition says.
    fn finish(&mut self, low: bool, high: bool, low_digit_difference: Ordering) {
        self.exp += 1;
        let round_up = match low_digit_difference {
            _ if !high => false,
            _ if !low => true,
            Ordering::Equal => self.buf[self.len - 1] % 2 == 1,
            Ordering::Greater => true,
            Ordering::Less => false,
        };
        if !round_up {
            return;
        }
        // Java keeps the digit count, so a carry leaves trailing zeros in place.
        match self.buf[..self.len].iter().rposition(|&q| q != 9) {
            Some(i) => {
                self.buf[i] += 1;
                self.buf[i + 1..self.len].fill(0);
            }
            None => {
                self.buf[..self.len].fill(0);
                self.buf[0] = 1;
                self.exp += 1;
            }
        }
    }

    /// Java's `getChars`: plain notation for exponents -2..=7, otherwise `d.ddd…E±n`.
    fn write(&self, out: &mut String) {
        let digits = &self.buf[..self.len];
        let push_digits = |out: &mut String, ds: &[u8]| {
            out.extend(ds.iter().map(|&q| char::from(b'0' + q)));
        };
        if self.exp > 0 && self.exp < 8 {
            let int_len = self.exp as usize;
            if digits.len() <= int_len {
                push_digits(out, digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                push_digits(out, &digits[..int_len]);
                out.push('.');
                push_digits(out, &digits[int_len..]);
            }
        } else if self.exp <= 0 && self.exp > -3 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', -self.exp as usize));
            push_digits(out, digits);
        } else {
            push_digits(out, &digits[..1]);
            out.push('.');
            if digits.len() > 1 {
                push_digits(out, &digits[1..]);
            } else {
                out.push('0');
            }
            let _ = write!(out, "E{}", self.exp - 1);
        }
    }
}

/// Unsigned integers for the exact digit loop: `u128` where the values are known to fit.
trait Natural:
    Clone
    + Ord
    + From<u64>
    + Shl<u32, Output = Self>
    + for<'a> AddAssign<&'a Self>
    + for<'a> SubAssign<&'a Self>
{
    fn mul_small(&mut self, k: u32);

    /// `x · 5^p5 · 2^p2`.
    fn pow52(x: u64, mut p5: u32, p2: u32) -> Self {
        let mut n = Self::from(x);
        // 5^13 is the largest power of five in a u32.
        while p5 >= 13 {
            n.mul_small(5u32.pow(13));
            p5 -= 13;
        }
        n.mul_small(5u32.pow(p5));
        n << p2
    }
}

impl Natural for u128 {
    fn mul_small(&mut self, k: u32) {
        *self *= u128::from(k);
    }
}

impl Natural for BigUint {
    fn mul_small(&mut self, k: u32) {
        *self *= k;
    }
}

/// Java's estimate of `floor(log10(d))`: exact or one too high.
// Java's log10(2) has fewer digits than `LOG10_2` and is a different double; the estimate
// must round the same way.
#[allow(clippy::approx_constant)]
fn estimate_dec_exp(fract: u64, bin_exp: i32) -> i32 {
    let d2 = f64::from_bits(0x3ff0_0000_0000_0000 | (fract & SIGNIFICAND_MASK));
    let d = (d2 - 1.5) * 0.289529654 + 0.176091259 + f64::from(bin_exp) * 0.301029995663981;
    d.floor() as i32
}

/// Java's bound on the bits of 5^i: `ceil(log2(5^i))` below 5^27, `3·i` beyond.
fn pow5_bits(i: u32) -> u32 {
    match POW5.get(i as usize) {
        Some(&p) => u64::BITS - (p - 1).leading_zeros(),
        None => 3 * i,
    }
}

#[cfg(test)]
mod tests {
    use super::write_double;

    /// Every line of the data file is a double's bits in hex and what Java 17 prints for it.
    #[test]
    fn matches_java_17_double_to_string() {
        let data = include_str!("../../tests/data/double_tostring.txt");
        let mut failures = Vec::new();
        let mut cases = 0;
        for line in data.lines() {
            let (hex, expected) = line.split_once(' ').expect("malformed line");
            let d = f64::from_bits(u64::from_str_radix(hex, 16).expect("malformed bits"));
            let mut actual = String::new();
            write_double(d, &mut actual);
            if actual != expected {
                failures.push(format!("{hex}: expected {expected}, got {actual}"));
            }
            cases += 1;
        }
        assert!(cases > 10_000, "only {cases} cases");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

//! Calendar formatting of timestamps in UTC and in the local zone (from TZ).

use wirecrab_core::Timestamp;

/// Broken-down time.
#[derive(Clone, Copy, Default)]
pub struct Tm {
    /// Year.
    pub year: i64,
    /// Month 1-12.
    pub mon: u32,
    /// Day of month 1-31.
    pub mday: u32,
    /// Day of year 1-366.
    pub yday: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub min: u32,
    /// Second.
    pub sec: u32,
}

/// Converts seconds to calendar time, caching the local zone's answer per
/// second so a capture of a million frames asks the C library a few thousand times.
pub struct TimeCache {
    last_secs: i64,
    last: Tm,
    last_zone: String,
}

impl Default for TimeCache {
    fn default() -> Self {
        TimeCache { last_secs: i64::MIN, last: Tm::default(), last_zone: String::new() }
    }
}

/// Days since 1970-01-01 to (year, month, day) — Howard Hinnant's civil_from_days.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// UTC calendar time.
pub fn utc(secs: i64) -> Tm {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, mon, mday) = civil(days);
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = CUM[(mon - 1) as usize] + mday + (mon > 2 && is_leap(year)) as u32;
    Tm { year, mon, mday, yday, hour: (rem / 3600) as u32, min: (rem / 60 % 60) as u32, sec: (rem % 60) as u32 }
}

impl TimeCache {
    /// Local calendar time and zone abbreviation.
    pub fn local(&mut self, secs: i64) -> (Tm, &str) {
        if secs != self.last_secs {
            self.last_secs = secs;
            let (tm, zone) = local_tm(secs).unwrap_or_else(|| (utc(secs), "UTC".to_string()));
            self.last = tm;
            self.last_zone = zone;
        }
        (self.last, &self.last_zone)
    }
}

fn local_tm(secs: i64) -> Option<(Tm, String)> {
    // time_t is narrower than i64 on some targets.
    #[allow(clippy::useless_conversion)]
    let t: libc::time_t = secs.try_into().ok()?;
    // SAFETY: localtime_r writes only into the tm we pass and reads t; a zeroed
    // libc::tm is a valid initial value. tm_zone points into static storage of
    // the C library (or is null), read immediately.
    unsafe {
        let mut out: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut out).is_null() {
            return None;
        }
        let zone = if out.tm_zone.is_null() {
            String::new()
        } else {
            std::ffi::CStr::from_ptr(out.tm_zone).to_string_lossy().into_owned()
        };
        Some((
            Tm {
                year: out.tm_year as i64 + 1900,
                mon: out.tm_mon as u32 + 1,
                mday: out.tm_mday as u32,
                yday: out.tm_yday as u32 + 1,
                hour: out.tm_hour as u32,
                min: out.tm_min as u32,
                sec: out.tm_sec as u32,
            },
            zone,
        ))
    }
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Append `.fffffffff` cut to `digits` digits (none when 0).
pub fn write_frac(out: &mut String, nanos: u32, digits: u8) {
    if digits == 0 {
        return;
    }
    let digits = digits.min(9) as usize;
    let mut v = nanos / 10u32.pow(9 - digits as u32);
    if v >= 10u32.pow(digits as u32) {
        // Not a fraction of a second (a caller's nanos past 10^9): all digits.
        out.push('.');
        out.push_str(&v.to_string());
        return;
    }
    // Zero-padded in place: written for every frame of a summary.
    let mut buf = [b'0'; 10];
    buf[0] = b'.';
    for d in buf[1..=digits].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out.push_str(std::str::from_utf8(&buf[..=digits]).unwrap_or_default());
}

fn two(out: &mut String, v: u32) {
    out.push((b'0' + (v / 10 % 10) as u8) as char);
    out.push((b'0' + (v % 10) as u8) as char);
}

/// `Apr  6, 2017 22:06:23.915793000 UTC` (Wireshark's FT_ABSOLUTE_TIME text).
pub fn write_abs(out: &mut String, tm: &Tm, nanos: u32, zone: &str) {
    out.push_str(MONTHS[(tm.mon as usize).saturating_sub(1).min(11)]);
    out.push(' ');
    if tm.mday < 10 {
        out.push(' ');
    }
    out.push_str(&tm.mday.to_string());
    out.push_str(", ");
    out.push_str(&tm.year.to_string());
    out.push(' ');
    write_hms(out, tm);
    write_frac(out, nanos, 9);
    out.push(' ');
    out.push_str(zone);
}

/// `22:06:23`.
pub fn write_hms(out: &mut String, tm: &Tm) {
    two(out, tm.hour);
    out.push(':');
    two(out, tm.min);
    out.push(':');
    two(out, tm.sec);
}

/// `2017-04-06`.
pub fn write_ymd(out: &mut String, tm: &Tm) {
    out.push_str(&format!("{:04}-{:02}-{:02}", tm.year, tm.mon, tm.mday));
}

/// `2017/096`.
pub fn write_yday(out: &mut String, tm: &Tm) {
    out.push_str(&format!("{:04}/{:03}", tm.year, tm.yday));
}

/// Seconds with a 9-digit fraction, signed: a relative time.
pub fn write_rel(out: &mut String, nanos: i128, digits: u8) {
    if nanos < 0 {
        out.push('-');
    }
    let n = nanos.unsigned_abs();
    // 64-bit division when it fits (always, for real captures): 128-bit
    // division is a library call.
    let (secs, frac) = match u64::try_from(n) {
        Ok(n) => (n / 1_000_000_000, (n % 1_000_000_000) as u32),
        Err(_) => {
            out.push_str(&(n / 1_000_000_000).to_string());
            write_frac(out, (n % 1_000_000_000) as u32, digits);
            return;
        }
    };
    out.push_str(itoa::Buffer::new().format(secs));
    write_frac(out, frac, digits);
}

/// Seconds since the epoch of a wall-clock time in the local zone (TZ), as
/// mktime(3) resolves it (daylight saving decided by the zone's rules).
pub fn local_to_epoch(date: (i64, u32, u32), time: (i64, i64, i64)) -> Option<i64> {
    let ((y, m, d), (h, mi, s)) = (date, time);
    // SAFETY: `tm` is a plain C struct, zeroed then filled; mktime reads and
    // normalises only it and the process's time-zone data.
    let t = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tm.tm_year = i32::try_from(y - 1900).ok()?;
        tm.tm_mon = m as i32 - 1;
        tm.tm_mday = d as i32;
        tm.tm_hour = h as i32;
        tm.tm_min = mi as i32;
        tm.tm_sec = s as i32;
        tm.tm_isdst = -1;
        libc::mktime(&mut tm)
    };
    // -1 is also 1969-12-31 23:59:59 UTC; anything else that fails is an error.
    (t != -1 || (y, m, d) == (1969, 12, 31) || (y, m, d) == (1970, 1, 1)).then_some(t as i64)
}

/// Epoch seconds with a fraction.
pub fn write_epoch(out: &mut String, ts: Timestamp, digits: u8) {
    write_rel(out, ts.as_nanos(), digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        let t = utc(1491516383);
        assert_eq!((t.year, t.mon, t.mday, t.hour, t.min, t.sec, t.yday), (2017, 4, 6, 22, 6, 23, 96));
        let t = utc(951782400); // 2000-02-29
        assert_eq!((t.year, t.mon, t.mday, t.yday), (2000, 2, 29, 60));
        let t = utc(-1);
        assert_eq!((t.year, t.mon, t.mday, t.hour), (1969, 12, 31, 23));
    }

    #[test]
    fn fractions_and_relative_times_are_zero_padded() {
        for (nanos, digits, want) in [(0, 9, ".000000000"), (5, 9, ".000000005"), (999_999_999, 9, ".999999999"), (123_456_789, 6, ".123456"), (1_000, 3, ".000"), (7, 0, "")] {
            let mut s = String::new();
            write_frac(&mut s, nanos, digits);
            assert_eq!(s, want, "{nanos} to {digits} digits");
        }
        let mut s = String::new();
        write_rel(&mut s, -1_500_000_000, 3);
        s.push(' ');
        write_rel(&mut s, 86_400_000_000_123, 9);
        s.push(' ');
        // Past 64 bits the slow path still gives every digit.
        write_rel(&mut s, (u64::MAX as i128) * 2, 1);
        assert_eq!(s, format!("-1.500 86400.000000123 {}.{}", (u64::MAX as u128) * 2 / 1_000_000_000, (u64::MAX as u128) * 2 % 1_000_000_000 / 100_000_000));
    }

    #[test]
    fn fractions() {
        let mut s = String::new();
        write_rel(&mut s, 15_584_000, 9);
        s.push(' ');
        write_rel(&mut s, 1_000_000_001, 6);
        assert_eq!(s, "0.015584000 1.000000");
    }
}

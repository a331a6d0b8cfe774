//! Cron expressions of `System.schedule` (Apex Developer Guide, "Using the System.schedule
//! Method"): `Seconds Minutes Hours Day_of_month Month Day_of_week [Optional_year]`, each a
//! number, a list (`,`), a range (`-`), an increment (`/`), `*`, or `?` (day of month or day
//! of week), month names `JAN`..`DEC`, day names `SUN`..`SAT` (1 = Sunday), and the special
//! characters `L` (last: the last day of the month; `nL` the last day n of the week in the
//! month; `L` alone in Day_of_week is Saturday), `W` (the weekday nearest to a day of the
//! month, never crossing into another month; `LW` the last weekday of the month) and `#`
//! (`n#k`: the k-th day n of the week in the month).
//!
//! [`next_fire`] answers the first time at or after `now` (GMT: the runtime's user is in GMT)
//! the expression fires, for `CronTrigger.NextFireTime`. What it does not read is an `Err` with
//! the reason; the caller makes that a Skip, never a guessed verdict.

use crate::apex::runtime::time::{civil_from_days, days_from_civil, days_in_month, split, weekday, DAY_MS};

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/// The last year a cron expression may name (Apex Developer Guide: years 1970–2099).
const LAST_YEAR: i64 = 2099;

/// Day of month.
#[derive(Debug)]
enum Dom {
    Any,
    Set(Vec<bool>),
    /// `L` (0) or `L-n` (n days before the last).
    Last(u32),
    /// `LW`
    LastWeekday,
    /// `nW`
    Nearest(u32),
}

/// Day of week (1 = Sunday).
#[derive(Debug)]
enum Dow {
    Any,
    Set(Vec<bool>),
    /// `nL`: the last day n of the month.
    Last(u32),
    /// `n#k`: the k-th day n.
    Nth(u32, u32),
}

/// A set of values lo..=hi from a list of numbers, names, ranges and increments.
fn values(spec: &str, lo: u32, hi: u32, names: &[&str]) -> Result<Vec<bool>, String> {
    let mut set = vec![false; hi as usize + 1];
    let num = |s: &str| -> Result<u32, String> {
        let up = s.to_ascii_uppercase();
        if let Some(i) = names.iter().position(|n| *n == up) {
            return Ok(i as u32 + lo);
        }
        let n: u32 = s.parse().map_err(|_| format!("'{s}' is not a value of this field"))?;
        if n < lo || n > hi {
            return Err(format!("{n} is out of range {lo}-{hi}"));
        }
        Ok(n)
    };
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or(format!("bad increment '{s}'"))?),
            None => (part, 0),
        };
        let (a, b) = if range == "*" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (num(a)?, num(b)?)
        } else {
            let a = num(range)?;
            (a, if step > 0 { hi } else { a })
        };
        if a > b {
            // A wrapping range (FRI-MON) is valid Quartz; it is not read here.
            return Err(format!("the range '{range}' wraps around"));
        }
        let mut v = a;
        while v <= b {
            set[v as usize] = true;
            if step == 0 {
                v += 1;
            } else {
                v += step;
            }
        }
    }
    Ok(set)
}

fn dom(spec: &str) -> Result<Dom, String> {
    let up = spec.to_ascii_uppercase();
    Ok(match up.as_str() {
        "?" | "*" => Dom::Any,
        "L" => Dom::Last(0),
        "LW" => Dom::LastWeekday,
        _ if up.starts_with("L-") => {
            Dom::Last(up[2..].parse::<u32>().ok().filter(|n| *n <= 30).ok_or(format!("bad day of month '{spec}'"))?)
        }
        _ if up.ends_with('W') => Dom::Nearest(
            up[..up.len() - 1]
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=31).contains(n))
                .ok_or(format!("bad day '{spec}'"))?,
        ),
        _ => Dom::Set(values(spec, 1, 31, &[])?),
    })
}

fn dow(spec: &str) -> Result<Dow, String> {
    let up = spec.to_ascii_uppercase();
    let day = |s: &str| -> Result<u32, String> {
        let v = values(s, 1, 7, &DAYS)?;
        v.iter().position(|x| *x).map(|p| p as u32).ok_or(format!("bad day of week '{s}'"))
    };
    Ok(match up.as_str() {
        "?" | "*" => Dow::Any,
        // "L" alone in Day_of_week is the last day of the week, Saturday.
        "L" => Dow::Set(values("7", 1, 7, &DAYS)?),
        _ if up.ends_with('L') => Dow::Last(day(&up[..up.len() - 1])?),
        _ if up.contains('#') => {
            let (d, k) = up.split_once('#').unwrap_or_default();
            let k = k.parse::<u32>().ok().filter(|k| (1..=5).contains(k)).ok_or(format!("bad '#' in '{spec}'"))?;
            Dow::Nth(day(d)?, k)
        }
        _ => Dow::Set(values(spec, 1, 7, &DAYS)?),
    })
}

/// Whether a weekday (1 = Sunday) is Monday to Friday.
fn workday(wd: u32) -> bool {
    (2..=6).contains(&wd)
}

fn dom_matches(spec: &Dom, y: i64, m: u32, d: u32) -> bool {
    let last = days_in_month(y, m);
    let wd = |day: u32| weekday(days_from_civil(y, m, day));
    match spec {
        Dom::Any => true,
        Dom::Set(s) => s[d as usize],
        Dom::Last(n) => last.checked_sub(*n).is_some_and(|x| x == d),
        Dom::LastWeekday => (1..=last).rev().find(|x| workday(wd(*x))) == Some(d),
        Dom::Nearest(n) => {
            let n = (*n).min(last);
            let target = match wd(n) {
                7 if n == 1 => n + 2, // Saturday the 1st: Monday the 3rd
                7 => n - 1,           // Saturday: Friday
                1 if n == last => n - 2,
                1 => n + 1, // Sunday: Monday
                _ => n,
            };
            target == d
        }
    }
}

fn dow_matches(spec: &Dow, y: i64, m: u32, d: u32) -> bool {
    let wd = weekday(days_from_civil(y, m, d));
    match spec {
        Dow::Any => true,
        Dow::Set(s) => s[wd as usize],
        Dow::Last(n) => wd == *n && d + 7 > days_in_month(y, m),
        Dow::Nth(n, k) => wd == *n && (d - 1) / 7 + 1 == *k,
    }
}

/// The first time at or after `now` (ms since the epoch, GMT) `cron` fires; `Err` with the
/// reason for an expression this does not read or that never fires.
pub fn next_fire(cron: &str, now: i64) -> Result<i64, String> {
    let f: Vec<&str> = cron.split_whitespace().collect();
    if f.len() < 6 || f.len() > 7 {
        return Err(format!("{} fields, not 6 or 7", f.len()));
    }
    let secs = values(f[0], 0, 59, &[])?;
    let mins = values(f[1], 0, 59, &[])?;
    let hours = values(f[2], 0, 23, &[])?;
    let dom = dom(f[3])?;
    let months = values(f[4], 1, 12, &MONTHS)?;
    let dow = dow(f[5])?;
    if (f[3] == "?") == (f[5] == "?") {
        // Quartz, whose syntax the platform takes, wants exactly one of them '?'; which message
        // Salesforce gives otherwise is not documented.
        return Err("one of Day_of_month and Day_of_week must be '?'".into());
    }
    let years = match f.get(6) {
        Some(y) => values(y, 1970, LAST_YEAR as u32, &[])?,
        None => vec![true; LAST_YEAR as usize + 1],
    };
    let (day0, ms0) = split(now);
    let (y0, _, _) = civil_from_days(day0);
    let end = days_from_civil(LAST_YEAR + 1, 1, 1);
    let mut d = day0;
    while d < end {
        let (y, m, dd) = civil_from_days(d);
        if y < y0 || !years[y as usize] || !months[m as usize] {
            d += 1;
            continue;
        }
        if dom_matches(&dom, y, m, dd) && dow_matches(&dow, y, m, dd) {
            for h in (0..24).filter(|h| hours[*h]) {
                for mi in (0..60).filter(|x| mins[*x]) {
                    for s in (0..60).filter(|x| secs[*x]) {
                        let t = ((h * 60 + mi) * 60 + s) as i64 * 1000;
                        if d > day0 || t >= ms0 {
                            return Ok(d * DAY_MS + t);
                        }
                    }
                }
            }
        }
        d += 1;
    }
    Err("it never fires".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apex::runtime::time::parse_datetime;

    fn at(s: &str) -> i64 {
        parse_datetime(s).unwrap()
    }

    fn next(cron: &str, now: &str) -> String {
        crate::apex::runtime::time::fmt_datetime(next_fire(cron, at(now)).unwrap())
    }

    #[test]
    fn plain_fields() {
        // The guide's example: 1 pm every day.
        assert_eq!(next("0 0 13 * * ?", "2026-12-06 16:00:00"), "2026-12-07 13:00:00");
        assert_eq!(next("0 0 * * * ?", "2026-12-06 16:00:01"), "2026-12-06 17:00:00");
        assert_eq!(next("0 0/15 * * * ?", "2026-12-06 16:20:00"), "2026-12-06 16:30:00");
        assert_eq!(next("0 30 8 ? * MON-FRI", "2026-12-05 09:00:00"), "2026-12-07 08:30:00");
        assert_eq!(next("0 0 12 1 JAN,jul ? 2027", "2026-12-06 00:00:00"), "2027-01-01 12:00:00");
    }

    #[test]
    fn special_characters() {
        // L: the last day of the month; LW: its last weekday (January 2027 ends on a Sunday).
        assert_eq!(next("0 0 0 L * ?", "2027-01-05 00:00:00"), "2027-01-31 00:00:00");
        assert_eq!(next("0 0 0 LW * ?", "2027-01-05 00:00:00"), "2027-01-29 00:00:00");
        // 6L: the last Friday; 2#1: the first Monday; 15W: the weekday nearest the 15th (a
        // Saturday in May 2027: Friday the 14th).
        assert_eq!(next("0 0 0 ? * 6L", "2027-01-05 00:00:00"), "2027-01-29 00:00:00");
        assert_eq!(next("0 0 0 ? * 2#1", "2027-01-05 00:00:00"), "2027-02-01 00:00:00");
        assert_eq!(next("0 0 0 15W * ?", "2027-05-01 00:00:00"), "2027-05-14 00:00:00");
        assert_eq!(next("0 0 10 ? * L", "2027-01-05 00:00:00"), "2027-01-09 10:00:00");
    }

    #[test]
    fn what_is_not_read_is_an_error_not_a_time() {
        for bad in ["0 0 13 * *", "0 61 * * * ?", "0 0 13 5 * MON", "0 0 0 1 1 ? 2000", "0 0 0 ? * FRI-MON", "x y z"] {
            assert!(next_fire(bad, at("2026-12-06 00:00:00")).is_err(), "{bad}");
        }
    }
}

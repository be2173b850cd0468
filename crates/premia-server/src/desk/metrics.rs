//! The desk's series in `/metrics`: how long cases take from submission to final decision (a
//! histogram in seconds, buckets from an hour to a week), cases opened, and decisions by kind.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Upper bounds of the time-to-decision buckets, in hours.
const HOURS: [u64; 9] = [1, 2, 4, 8, 12, 24, 48, 72, 168];
pub const DECISION_KINDS: [&str; 6] =
    ["accept", "accept_with_terms", "postpone", "decline", "medical_exam", "more_information"];

#[derive(Debug, Default)]
pub struct DeskMetrics {
    /// Cases finally decided, by bucket (last: +Inf).
    took: [AtomicU64; HOURS.len() + 1],
    took_sum_seconds: AtomicU64,
    cases: AtomicU64,
    decisions: [AtomicU64; DECISION_KINDS.len()],
    reviews: AtomicU64,
}

impl DeskMetrics {
    pub fn case_created(&self) {
        self.cases.fetch_add(1, Relaxed);
    }

    pub fn decision(&self, kind: &str) {
        if let Some(i) = DECISION_KINDS.iter().position(|k| *k == kind) {
            self.decisions[i].fetch_add(1, Relaxed);
        }
    }

    pub fn review(&self) {
        self.reviews.fetch_add(1, Relaxed);
    }

    /// A case became final `millis` after its submission.
    pub fn finalised(&self, millis: i64) {
        let seconds = u64::try_from(millis.max(0) / 1000).unwrap_or(0);
        let bucket = HOURS.iter().position(|&h| seconds <= h * 3600).unwrap_or(HOURS.len());
        self.took[bucket].fetch_add(1, Relaxed);
        self.took_sum_seconds.fetch_add(seconds, Relaxed);
    }

    pub fn render(&self, out: &mut String) {
        let name = "premia_desk_time_to_decision_seconds";
        let _ = writeln!(out, "# HELP {name} Time from submission to the final decision of referred applications.");
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (hours, count) in HOURS.iter().zip(&self.took) {
            cumulative += count.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{}\"}} {cumulative}", hours * 3600);
        }
        cumulative += self.took[HOURS.len()].load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
        let _ = writeln!(out, "{name}_sum {}", self.took_sum_seconds.load(Relaxed));
        let _ = writeln!(out, "{name}_count {cumulative}");
        let cases = "premia_desk_cases_total";
        let _ = writeln!(out, "# HELP {cases} Applications referred to the desk.\n# TYPE {cases} counter");
        let _ = writeln!(out, "{cases} {}", self.cases.load(Relaxed));
        let decisions = "premia_desk_decisions_total";
        let _ = writeln!(out, "# HELP {decisions} Decisions recorded on cases, by kind.\n# TYPE {decisions} counter");
        for (kind, count) in DECISION_KINDS.iter().zip(&self.decisions) {
            let _ = writeln!(out, "{decisions}{{kind=\"{kind}\"}} {}", count.load(Relaxed));
        }
        let reviews = "premia_desk_reviews_total";
        let _ = writeln!(out, "# HELP {reviews} Second reviews (双人复核) recorded.\n# TYPE {reviews} counter");
        let _ = writeln!(out, "{reviews} {}", self.reviews.load(Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_in_seconds() {
        let metrics = DeskMetrics::default();
        metrics.finalised(30 * 60_000);
        metrics.finalised(25 * 3_600_000);
        metrics.finalised(400 * 3_600_000);
        metrics.decision("accept_with_terms");
        let mut text = String::new();
        metrics.render(&mut text);
        assert!(text.contains("premia_desk_time_to_decision_seconds_bucket{le=\"3600\"} 1\n"), "{text}");
        assert!(text.contains("premia_desk_time_to_decision_seconds_bucket{le=\"86400\"} 1\n"));
        assert!(text.contains("premia_desk_time_to_decision_seconds_bucket{le=\"172800\"} 2\n"));
        assert!(text.contains("premia_desk_time_to_decision_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("premia_desk_decisions_total{kind=\"accept_with_terms\"} 1\n"));
    }
}

//! `[desk]`: the loading range, exclusions, postponement periods, reason categories and high-risk rules
//! an underwriter works within (see `crate::desk`).

use rust_decimal::Decimal;

use super::Builder;
use crate::catalogue::raw::{RawDesk, RawListed};
use crate::desk::{DeskRules, Listed, LoadingRange};
use crate::error::{ErrorKind, Noun};
use crate::text::Quoted;

/// The highest loading a catalogue may allow: +500 %.
const MAX_LOADING: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

impl Builder<'_> {
    /// A catalogue without `[desk]` lets an underwriter set no loading and offers no list: an
    /// acceptance at standard rates, a decline for a listed reason, or a request for facts.
    pub(super) fn desk(&mut self, raw: Option<RawDesk>) -> DeskRules {
        let Some(raw) = raw else { return DeskRules::default() };
        let loading = self.loading_range(&raw);
        let exclusions = self.listed(raw.exclusions, Noun::Exclusion, "desk.exclusion");
        let reasons = self.listed(raw.reasons, Noun::ReasonCategory, "desk.reason");
        if reasons.is_empty() {
            self.error("desk.reason", ErrorKind::Empty);
        }
        let mut postpone_months: Vec<u32> = Vec::new();
        for (i, &months) in raw.postpone_months.iter().enumerate() {
            let field = format!("desk.postpone_months[{i}]");
            if !(1..=60).contains(&months) {
                let kind = ErrorKind::OutOfRange { value: months.to_string(), min: "1".into(), max: "60".into() };
                self.error(field, kind);
            } else if postpone_months.contains(&months) {
                self.error(field, ErrorKind::Duplicate { what: Noun::Row, name: months.to_string() });
            } else {
                postpone_months.push(months);
            }
        }
        for (i, pattern) in raw.high_risk.iter().enumerate() {
            let body = pattern.strip_suffix('*').unwrap_or(pattern);
            if body.is_empty() || body.contains('*') || body.contains(char::is_whitespace) {
                let message = format!("{} is not a rule code or a `prefix.*` family", Quoted(pattern));
                self.error(format!("desk.high_risk[{i}]"), ErrorKind::Syntax { message });
            }
        }
        DeskRules { loading, exclusions, postpone_months, reasons, high_risk: raw.high_risk }
    }

    fn loading_range(&mut self, raw: &RawDesk) -> LoadingRange {
        let l = &raw.loading;
        let min = self.dec_in(&l.min, "desk.loading.min", Decimal::ZERO, MAX_LOADING);
        let max = self.dec_in(&l.max, "desk.loading.max", Decimal::ZERO, MAX_LOADING);
        let step = self.positive(&l.step, "desk.loading.step");
        let (Some(min), Some(max), Some(step)) = (min, max, step) else { return LoadingRange::default() };
        if min <= Decimal::ZERO {
            let kind = ErrorKind::OutOfRange { value: min.to_string(), min: "0 (exclusive)".into(), max: "5".into() };
            self.error("desk.loading.min", kind);
        }
        if min > max {
            self.error("desk.loading", ErrorKind::MinAboveMax { min: min.to_string(), max: max.to_string() });
        } else if !((max - min) % step).is_zero() {
            let message = format!("the step {step} does not lead from {min} to {max}");
            self.error("desk.loading.step", ErrorKind::Syntax { message });
        }
        LoadingRange { min, max, step }
    }

    fn listed(&mut self, raw: Vec<RawListed>, what: Noun, field: &str) -> Vec<Listed> {
        let mut listed: Vec<Listed> = Vec::with_capacity(raw.len());
        for entry in raw {
            let f = format!("{field}[{}]", entry.id);
            self.new_id(what, &entry.id, listed.iter().any(|l| l.id == entry.id), &f);
            if entry.text.zh.trim().is_empty() || entry.text.en.trim().is_empty() {
                self.error(format!("{f}.text"), ErrorKind::Empty);
            }
            listed.push(Listed { id: entry.id, text: entry.text });
        }
        listed
    }
}

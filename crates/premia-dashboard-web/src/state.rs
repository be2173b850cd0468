//! The page as data and a pure reducer (tested natively, as in yew's `function_todomvc`): the query
//! (period and filters), the dashboard the server sent, its live updates, the language.

use std::rc::Rc;

use premia_core::{Lang, Text};
use premia_dashboard::api::{Dashboard, Query, Update};
use premia_dashboard::period::{Grain, Period};
use yew::Reducible;

/// Whether the live stream is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    Connecting,
    Open,
    Lost,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub lang: Lang,
    /// Who is signed in (`GET /api/staff/me`).
    pub user: Option<String>,
    pub query: Query,
    pub dashboard: Option<Dashboard>,
    pub live: Live,
    /// How many live updates have arrived (the page flashes what changed).
    pub updates: u64,
    pub problem: Option<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SignedIn(String),
    /// The whole dashboard (the stream's first event, or a new period).
    Loaded(Box<Dashboard>),
    Updated(Box<Update>),
    Live(Live),
    Grain(Grain),
    /// Another period of the same grain (the arrows).
    Period(String),
    Channel(String),
    Product(String),
    Region(String),
    Lang(Lang),
    Failed(Text),
}

impl State {
    pub fn new(lang: Lang, query: Query) -> State {
        State { lang, user: None, query, dashboard: None, live: Live::Connecting, updates: 0, problem: None }
    }

    /// The query string the page asks the server with (and keeps in its address).
    pub fn query_string(&self) -> String {
        self.query.to_query_string()
    }

    pub fn reduce(mut self, action: Action) -> State {
        match action {
            Action::SignedIn(user) => self.user = Some(user),
            Action::Loaded(dashboard) => {
                self.dashboard = Some(*dashboard);
                self.problem = None;
            }
            Action::Updated(update) => {
                if let Some(dashboard) = &mut self.dashboard {
                    dashboard.apply(&update);
                    self.updates += 1;
                }
            }
            Action::Live(live) => self.live = live,
            Action::Grain(grain) if grain != self.query.grain => {
                self.query.grain = grain;
                self.query.period = None;
                self.live = Live::Connecting;
            }
            Action::Grain(_) => {}
            Action::Period(key) => {
                if Period::parse(self.query.grain, &key).is_some() {
                    self.query.period = Some(key);
                    self.live = Live::Connecting;
                }
            }
            Action::Channel(v) => self.query.channel = non_empty(v),
            Action::Product(v) => self.query.product = non_empty(v),
            Action::Region(v) => self.query.region = non_empty(v),
            Action::Lang(lang) => self.lang = lang,
            Action::Failed(problem) => self.problem = Some(problem),
        }
        self
    }
}

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().reduce(action))
    }
}

/// The query in the page's address (`?grain=quarter&channel=agent`), read leniently: what does not
/// read is left at its default (the server would refuse it anyway).
pub fn query_from_search(search: &str) -> Query {
    let pairs: Vec<(&str, &str)> = search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| p.split_once('='))
        .filter(|(k, _)| ["grain", "period", "channel", "product", "region"].contains(k))
        .collect();
    let grain = pairs.iter().find(|(k, _)| *k == "grain").and_then(|(_, v)| Grain::parse(v)).unwrap_or(Grain::Month);
    let mut query = Query { grain, ..Query::default() };
    for (k, v) in pairs {
        if let Ok(one) = Query::from_pairs([("grain", grain.name()), (k, v)]) {
            match k {
                "period" => query.period = one.period,
                "channel" => query.channel = one.channel,
                "product" => query.product = one.product,
                "region" => query.region = one.region,
                _ => {}
            }
        }
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_gives_the_query_and_bad_parts_are_left_out() {
        let q = query_from_search("?grain=quarter&period=2026-Q4&channel=agent&lang=en&region=bad");
        assert_eq!(q.to_query_string(), "grain=quarter&period=2026-Q4&channel=agent");
        assert_eq!(query_from_search("").grain, Grain::Month);
    }

    #[test]
    fn changing_the_grain_goes_to_its_current_period_and_filters_clear_with_empty() {
        let state = State::new(Lang::Zh, query_from_search("?grain=month&period=2026-10&product=CI"));
        let state = state.reduce(Action::Grain(Grain::Quarter));
        assert_eq!((state.query.grain, state.query.period.clone()), (Grain::Quarter, None));
        let state = state.reduce(Action::Product(String::new())).reduce(Action::Channel("direct".into()));
        assert_eq!(state.query_string(), "grain=quarter&channel=direct");
        let state = state.reduce(Action::Period("2026-13".into()));
        assert_eq!(state.query.period, None, "not a quarter: ignored");
    }
}

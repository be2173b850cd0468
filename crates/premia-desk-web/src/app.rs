//! The desk component: owns the reducer, follows the address's hash, loads what each screen shows and
//! sends the underwriter's decisions; the views are in [`crate::view`].

use premia_core::{Lang, Text};
use premia_desk::api::{CaseList, CaseView, Me, Stats};
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::browser::{self, Answer};
use crate::state::{self, Action, Problem, Screen, State};
use crate::view;

/// What the page can do, for the views' buttons.
#[derive(Debug, Clone, PartialEq)]
pub struct Handlers {
    pub dispatch: Callback<Action>,
    pub go: Callback<Screen>,
    pub decide: Callback<()>,
    pub agree: Callback<()>,
    pub disagree: Callback<()>,
    pub resolve: Callback<String>,
    pub logout: Callback<()>,
}

#[component(Desk)]
pub fn desk() -> Html {
    let state = use_reducer(|| State::new(browser::lang(), Screen::from_hash(&browser::hash())));
    use_signed_in(&state);
    use_hash(&state);
    use_screen_data(&state);
    let handlers = handlers(&state);
    view::page(&state, &handlers)
}

/// Who is signed in; without a session, off to sign in.
#[hook]
fn use_signed_in(state: &UseReducerHandle<State>) {
    let (dispatch, lang) = (state.dispatcher(), state.lang);
    use_effect_with((), move |_| {
        spawn_local(async move {
            match fetch::<Me>("/api/staff/me", lang).await {
                Ok(me) => dispatch.dispatch(Action::SignedIn(me)),
                Err(problems) => dispatch.dispatch(Action::Refused(problems)),
            }
        });
    });
}

#[hook]
fn use_hash(state: &UseReducerHandle<State>) {
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let listener =
            Closure::<dyn Fn()>::new(move || dispatch.dispatch(Action::Show(Screen::from_hash(&browser::hash()))));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        }
    });
}

/// Load the screen's data whenever the screen or the queue's query changes (once signed in).
#[hook]
fn use_screen_data(state: &UseReducerHandle<State>) {
    let key = (state.screen.clone(), state.queue_query(), state.me.is_some());
    let (dispatch, lang) = (state.dispatcher(), state.lang);
    use_effect_with(key, move |(screen, query, signed_in)| {
        if *signed_in {
            spawn_local(load(screen.clone(), query.clone(), dispatch, lang));
        }
    });
}

async fn load(screen: Screen, query: String, dispatch: UseReducerDispatcher<State>, lang: Lang) {
    let action = match &screen {
        Screen::Queue | Screen::Inbox => {
            fetch::<CaseList>(&format!("/api/desk/cases{query}"), lang).await.map(Action::Queue)
        }
        Screen::Case(number) => {
            fetch::<CaseView>(&format!("/api/desk/cases/{number}"), lang).await.map(|v| Action::Case(Box::new(v)))
        }
        Screen::Stats => fetch::<Stats>("/api/desk/stats", lang).await.map(Action::Stats),
    };
    dispatch.dispatch(action.unwrap_or_else(Action::Refused));
}

async fn fetch<T: DeserializeOwned>(path: &str, lang: Lang) -> Result<T, Vec<Problem>> {
    match browser::get(path).await {
        Answer::Ok(text) => serde_json::from_str(&text).map_err(|_| vec![unreadable()]),
        answer => Err(refusal(answer, lang)),
    }
}

/// The problems of an answer that is not a success (going to sign in when the session ended).
fn refusal(answer: Answer, lang: Lang) -> Vec<Problem> {
    match answer {
        Answer::Refused { body, .. } => problems(&body),
        Answer::SignedOut => {
            browser::sign_in(lang);
            Vec::new()
        }
        Answer::Unreachable => vec![Problem {
            code: "unreachable".into(),
            field: String::new(),
            message: Text::fixed("无法连接服务器", "the server cannot be reached"),
        }],
        Answer::Ok(_) => Vec::new(),
    }
}

/// `{errors: [{code, field, message}]}` as the page's problems.
pub fn problems(body: &str) -> Vec<Problem> {
    #[derive(serde::Deserialize)]
    struct Body {
        errors: Vec<Wire>,
    }
    #[derive(serde::Deserialize)]
    struct Wire {
        code: String,
        field: String,
        message: Text,
    }
    match serde_json::from_str::<Body>(body) {
        Ok(b) => b.errors.into_iter().map(|e| Problem { code: e.code, field: e.field, message: e.message }).collect(),
        Err(_) => vec![unreadable()],
    }
}

fn unreadable() -> Problem {
    Problem {
        code: "unreadable".into(),
        field: String::new(),
        message: Text::fixed("服务器的回答无法读取", "the server's answer cannot be read"),
    }
}

fn handlers(state: &UseReducerHandle<State>) -> Handlers {
    let dispatch = state.dispatcher();
    let send = {
        let state = state.clone();
        move |path: &'static str, body: Result<String, Problem>| {
            let (dispatch, lang, screen) = (state.dispatcher(), state.lang, state.screen.clone());
            let (Some(me), Screen::Case(number)) = (state.me.clone(), screen.clone()) else { return };
            let body = match body {
                Ok(body) => body,
                Err(problem) => return dispatch.dispatch(Action::Refused(vec![problem])),
            };
            dispatch.dispatch(Action::Busy);
            spawn_local(async move {
                match browser::post(&format!("/api/desk/cases/{number}/{path}"), &body, &me.csrf).await {
                    Answer::Ok(_) => {
                        dispatch.dispatch(Action::Recorded(Text::fixed("已记录", "recorded")));
                        load(screen, String::new(), dispatch, lang).await;
                    }
                    answer => dispatch.dispatch(Action::Refused(refusal(answer, lang))),
                }
            });
        }
    };
    let (s1, s2, s3, s4) = (state.clone(), state.clone(), state.clone(), state.clone());
    let (send1, send2, send3, send4) = (send.clone(), send.clone(), send.clone(), send);
    Handlers {
        dispatch: Callback::from(move |action| dispatch.dispatch(action)),
        go: Callback::from(|screen: Screen| browser::set_hash(&screen.hash())),
        decide: Callback::from(move |()| send1("decisions", to_json(s1.form.input()))),
        agree: Callback::from(move |()| send2("review", to_json(Ok(state::agreement(&s2.review_note))))),
        disagree: Callback::from(move |()| send3("review", to_json(s3.form.disagreement(&s3.review_note)))),
        resolve: Callback::from(move |id: String| {
            send4("resolve", to_json(Ok(state::resolution(&id, &s4.review_note))))
        }),
        logout: {
            let state = state.clone();
            Callback::from(move |()| {
                let (csrf, lang) = (state.me.as_ref().map(|m| m.csrf.clone()).unwrap_or_default(), state.lang);
                spawn_local(async move {
                    browser::post("/api/staff/logout", "{}", &csrf).await;
                    browser::sign_in(lang);
                });
            })
        },
    }
}

fn to_json<T: serde::Serialize>(value: Result<T, Problem>) -> Result<String, Problem> {
    value.map(|v| serde_json::to_string(&v).unwrap_or_default())
}

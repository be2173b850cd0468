//! The dashboard component: owns the reducer, keeps the live stream open for the query, draws the
//! charts after each render, keeps the address in step; the views are in [`crate::view`].

use premia_core::{Lang, Text};
use premia_dashboard::{Dashboard, Update};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use web_sys::{EventSource, MessageEvent};
use yew::prelude::*;

use crate::state::{self, Action, Live, State};
use crate::{browser, charts, echarts, view};

#[component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| State::new(browser::lang(), state::query_from_search(&browser::search())));
    use_signed_in(&state);
    use_live(&state);
    use_charts(&state);
    use_address(&state);
    use_resize();
    let handlers = view::Handlers {
        dispatch: Callback::from({
            let state = state.clone();
            move |action| state.dispatch(action)
        }),
        print: Callback::from(|()| {
            echarts::resize_all(&charts::CHARTS);
            browser::print();
        }),
    };
    view::page(&state, &handlers)
}

/// Who is signed in; without a session, off to sign in; without the role, say so.
#[hook]
fn use_signed_in(state: &UseReducerHandle<State>) {
    let (dispatch, lang) = (state.dispatcher(), state.lang);
    use_effect_with((), move |_| {
        spawn_local(async move {
            match browser::get("/api/staff/me").await {
                Ok((200, body)) => {
                    let me: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    let name = me["display_name"].as_str().unwrap_or_default().to_owned();
                    dispatch.dispatch(Action::SignedIn(name));
                }
                Ok((401, _)) => browser::sign_in(lang),
                _ => dispatch.dispatch(Action::Failed(Text::fixed("无法连接服务器", "the server cannot be reached"))),
            }
        });
    });
}

/// The live stream of the query: its first event is the dashboard, then updates. Reopened whenever the
/// query changes; closed when the page leaves.
#[hook]
fn use_live(state: &UseReducerHandle<State>) {
    let (dispatch, lang) = (state.dispatcher(), state.lang);
    use_effect_with(state.query_string(), move |query| {
        let source = EventSource::new(&format!("/api/dashboard/live?{query}")).ok();
        let on_dashboard = Closure::<dyn Fn(MessageEvent)>::new({
            let dispatch = dispatch.clone();
            move |event: MessageEvent| match serde_json::from_str::<Dashboard>(
                &event.data().as_string().unwrap_or_default(),
            ) {
                Ok(dashboard) => {
                    dispatch.dispatch(Action::Loaded(Box::new(dashboard)));
                    dispatch.dispatch(Action::Live(Live::Open));
                }
                Err(_) => {
                    dispatch.dispatch(Action::Failed(Text::fixed("数据无法读取", "the figures could not be read")))
                }
            }
        });
        let on_update = Closure::<dyn Fn(MessageEvent)>::new({
            let dispatch = dispatch.clone();
            move |event: MessageEvent| {
                if let Ok(update) = serde_json::from_str::<Update>(&event.data().as_string().unwrap_or_default()) {
                    dispatch.dispatch(Action::Updated(Box::new(update)));
                }
            }
        });
        let on_expired = Closure::<dyn Fn(MessageEvent)>::new(move |_| browser::sign_in(lang));
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new({
            let dispatch = dispatch.clone();
            move |_| {
                dispatch.dispatch(Action::Live(Live::Lost));
                // A refused stream (the session ended, or the role does not allow it) says why at /me.
                let dispatch = dispatch.clone();
                spawn_local(async move {
                    match browser::get("/api/staff/me").await {
                        Ok((401, _)) => browser::sign_in(lang),
                        Ok((200, body)) if !body.contains("\"manager\"") && !body.contains("\"analyst\"") => dispatch
                            .dispatch(Action::Failed(Text::fixed(
                                "您的角色无权查看数据看板（需经理或数据分析员）",
                                "your role may not see the dashboard (manager or analyst)",
                            ))),
                        _ => {}
                    }
                });
            }
        });
        if let Some(source) = &source {
            let listen = |name: &str, f: &Closure<dyn Fn(MessageEvent)>| {
                let _ = source.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
            };
            listen("dashboard", &on_dashboard);
            listen("update", &on_update);
            listen("expired", &on_expired);
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        }
        move || {
            if let Some(source) = source {
                source.set_onerror(None);
                source.close();
            }
            drop((on_dashboard, on_update, on_expired, on_error));
        }
    });
}

/// Draw every chart after a render that changed the figures or the language.
#[hook]
fn use_charts(state: &UseReducerHandle<State>) {
    let key = (state.dashboard.as_ref().map(|d| (d.query.clone(), d.as_of.clone())), state.lang, state.updates);
    let (dashboard, lang) = (state.dashboard.clone(), state.lang);
    use_effect_with(key, move |_| {
        if let Some(dashboard) = dashboard {
            for id in charts::CHARTS {
                if let Some(options) = charts::options(id, &dashboard, lang) {
                    let _ = echarts::draw(&format!("chart-{id}"), &options.to_string());
                }
            }
        }
    });
}

#[hook]
fn use_address(state: &UseReducerHandle<State>) {
    let (query, lang) = (state.query_string(), state.lang);
    use_effect_with((query, lang), move |(query, lang)| {
        browser::set_search(query, *lang);
        browser::set_title(if *lang == Lang::En {
            "Premium dashboard · Premia"
        } else {
            "保费数据看板 · Premia"
        });
    });
}

/// Charts follow the window's size, and the page's when printing.
#[hook]
fn use_resize() {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(|| echarts::resize_all(&charts::CHARTS));
        let window = web_sys::window();
        if let Some(w) = &window {
            for event in ["resize", "beforeprint", "afterprint"] {
                let _ = w.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
        }
        move || {
            if let Some(w) = window {
                for event in ["resize", "beforeprint", "afterprint"] {
                    let _ = w.remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                }
            }
        }
    });
}

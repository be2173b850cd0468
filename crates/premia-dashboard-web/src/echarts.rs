//! The few calls the page makes into Apache ECharts (the global `echarts` of `echarts.common.min.js`,
//! from npm, served beside the page): draw a chart's options into its element, resize, print.
//! Options cross as JSON text, parsed by the browser.

use wasm_bindgen::{JsCast, JsValue};

fn echarts() -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    let echarts = js_sys::Reflect::get(&window, &"echarts".into())?;
    if echarts.is_undefined() { Err(JsValue::from_str("echarts is not loaded")) } else { Ok(echarts) }
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = js_sys::Reflect::get(target, &method.into())?.dyn_into()?;
    let args: js_sys::Array = args.iter().collect();
    function.apply(target, &args)
}

/// Draw `options` (JSON) into the element with this id, reusing its chart if it has one.
pub fn draw(element_id: &str, options: &str) -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or(JsValue::NULL)?;
    let Some(element) = document.get_element_by_id(element_id) else { return Ok(()) };
    let echarts = echarts()?;
    let existing = call(&echarts, "getInstanceByDom", &[element.clone().into()])?;
    let chart = if existing.is_undefined() || existing.is_null() {
        call(&echarts, "init", &[element.into()])?
    } else {
        existing
    };
    let options = js_sys::JSON::parse(options)?;
    let replace = js_sys::Object::new();
    js_sys::Reflect::set(&replace, &"notMerge".into(), &JsValue::TRUE)?;
    call(&chart, "setOption", &[options, replace.into()])?;
    Ok(())
}

/// Fit every chart to its element again (after the window or the print layout changed).
pub fn resize_all(ids: &[&str]) {
    let Ok(echarts) = echarts() else { return };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    for id in ids {
        if let Some(element) = document.get_element_by_id(&format!("chart-{id}")) {
            if let Ok(chart) = call(&echarts, "getInstanceByDom", &[element.into()]) {
                if !chart.is_undefined() {
                    let _ = call(&chart, "resize", &[]);
                }
            }
        }
    }
}

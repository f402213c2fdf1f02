//! The gate button of the ticket page: "Brighten screen / full screen" shows the QR code alone,
//! large, black on white, and asks the browser for full screen so scanners read it at once.
//! Served as its own file (`/wallet/gate.js`) under the pages' strict script policy; without
//! script the button stays hidden and the code is shown as it is.

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = "(function(){var b=document.getElementById('brighten');if(!b){return;}b.hidden=false;\
b.addEventListener('click',function(){var on=document.body.classList.toggle('bright');\
b.setAttribute('aria-pressed',on?'true':'false');var e=document.documentElement;\
if(on&&e.requestFullscreen){e.requestFullscreen().catch(function(){});}\
else if(!on&&document.fullscreenElement&&document.exitFullscreen){document.exitFullscreen();}});})();\n";

pub(crate) async fn get_gate_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

// Start the desk: the module mounts itself into #desk (premia-desk-web's `start`).
import init from "./pkg/premia_desk_web.js";
init();

// Start the dashboard: the module mounts itself into #dashboard (premia-dashboard-web's `start`).
import init from "./pkg/premia_dashboard_web.js";
init();

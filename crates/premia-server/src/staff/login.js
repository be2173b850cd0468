// The staff sign-in page: posts {username, password} as JSON to /api/staff/login (the server sets an
// HttpOnly session cookie), then goes to ?next= (a path on this site only) or the desk.
(function () {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang") === "en" ? "en" : "zh";
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-zh]")) el.textContent = el.dataset[lang];
  const other = new URLSearchParams(params);
  other.set("lang", lang === "en" ? "zh" : "en");
  const switcher = document.getElementById("lang");
  switcher.href = "?" + other.toString();
  switcher.textContent = lang === "en" ? "中文" : "English";

  const next = params.get("next") || "";
  // Only a path on this site: "/desk/", never "//elsewhere" or "https://…".
  const target = /^\/(?![\/\\])/.test(next) ? next : "/desk/";
  const form = document.getElementById("login");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const response = await fetch("/api/staff/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ username: form.username.value.trim(), password: form.password.value }),
      });
      if (response.ok) {
        const sep = target.includes("?") ? "&" : "?";
        location.assign(target + (params.get("lang") ? sep + "lang=" + lang : ""));
        return;
      }
      const body = await response.json().catch(() => ({}));
      const first = (body.errors || [])[0];
      error.textContent = first ? first.message[lang] : response.status + " " + response.statusText;
      error.dataset.code = first ? first.code : "";
    } catch (e) {
      error.textContent = lang === "en" ? "the server cannot be reached" : "无法连接服务器";
    } finally {
      button.disabled = false;
    }
  });
})();

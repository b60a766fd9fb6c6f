/* envhub air quality widget: each <div data-envhub-aqi="station:CODE"> or
   data-envhub-aqi="city:PROVINCE"> (optional data-lang="en") gets the widget's iframe. */
(function () {
  var me = document.currentScript;
  if (!me) { return; }
  var origin = new URL(me.src).origin;
  var kinds = { station: "/widgets/aqi/station/", city: "/widgets/aqi/city/" };
  var places = document.querySelectorAll("[data-envhub-aqi]");
  for (var i = 0; i < places.length; i++) {
    var place = places[i];
    if (place.getAttribute("data-envhub-placed")) { continue; }
    var parts = (place.getAttribute("data-envhub-aqi") || "").split(":");
    if (parts.length !== 2 || !kinds[parts[0]] || !/^[A-Za-z0-9_-]{1,20}$/.test(parts[1])) { continue; }
    var lang = place.getAttribute("data-lang") === "en" ? "en" : "vi";
    var frame = document.createElement("iframe");
    frame.src = origin + kinds[parts[0]] + encodeURIComponent(parts[1]) + "/?lang=" + lang;
    frame.title = "VN_AQI";
    frame.loading = "lazy";
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.maxWidth = "440px";
    frame.style.height = "120px";
    place.appendChild(frame);
    place.setAttribute("data-envhub-placed", "1");
  }
})();

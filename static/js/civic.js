// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Registration and profile forms: show only the neighbourhoods of the chosen city.
  function linkCityToNeighbourhoods(citySelect, neighbourhoodSelect) {
    var groups = Array.prototype.slice.call(neighbourhoodSelect.querySelectorAll("optgroup"));
    function refresh() {
      var cityName = citySelect.options[citySelect.selectedIndex].text;
      groups.forEach(function (group) {
        var match = !citySelect.value || group.label === cityName;
        group.hidden = !match;
        group.disabled = !match;
      });
      var chosen = neighbourhoodSelect.options[neighbourhoodSelect.selectedIndex];
      if (chosen && chosen.parentNode.disabled) { neighbourhoodSelect.value = ""; }
    }
    citySelect.addEventListener("change", refresh);
    refresh();
  }
  var city = document.getElementById("home_city");
  var neighbourhood = document.getElementById("home_neighbourhood");
  if (city && neighbourhood) { linkCityToNeighbourhoods(city, neighbourhood); }
})();

// Need and idea forms: similar needs and ideas of the city, shown while the title is typed
// (without JavaScript the "Look for similar ones first" button does the same on the server).
(function () {
  "use strict";
  var box = document.getElementById("similar-posts");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) { return; }
  var timer = null;
  var lastAsked = "";
  function show(items) {
    box.textContent = "";
    if (!items.length) { return; }
    var heading = document.createElement("h2");
    heading.className = "h6";
    heading.textContent = box.getAttribute("data-heading");
    var hint = document.createElement("p");
    hint.className = "small";
    hint.textContent = box.getAttribute("data-hint");
    var list = document.createElement("ul");
    list.className = "similar-list";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      a.target = "_blank";
      a.rel = "noopener";
      var note = document.createElement("span");
      note.className = "small";
      note.textContent = " (" + item.type_label + " · " + item.status + ")";
      li.appendChild(a);
      li.appendChild(note);
      list.appendChild(li);
    });
    box.appendChild(heading);
    box.appendChild(hint);
    box.appendChild(list);
  }
  function ask() {
    var text = title.value.trim();
    if (text.length < 8 || text === lastAsked) { return; }
    lastAsked = text;
    var url = box.getAttribute("data-similar-url") + "&text=" + encodeURIComponent(text);
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(show)
      .catch(function () { /* hints are a help, never an obstacle */ });
  }
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 500);
  });
})();

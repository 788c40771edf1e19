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

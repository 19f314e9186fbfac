/* The article reader: clicking a highlighted passage shows its claim in the side panel.
   The panel's contents are rendered by the server; this script only shows and hides them,
   and never turns text into markup. */
(function () {
  "use strict";
  var article = document.getElementById("article");
  var panel = document.getElementById("panel");
  if (!article || !panel) {
    return;
  }
  var hint = document.getElementById("panel-hint");
  var nested = document.getElementById("nested");

  function claimsOf(element) {
    return (element.getAttribute("data-claims") || "").split(" ").filter(Boolean);
  }

  function highlight(id) {
    var first = null;
    article.querySelectorAll(".hl").forEach(function (span) {
      var on = claimsOf(span).indexOf(id) >= 0;
      span.classList.toggle("active", on);
      if (on && !first) {
        first = span;
      }
    });
    return first;
  }

  function showNested(current, ids) {
    nested.querySelectorAll("button").forEach(function (button) { button.remove(); });
    nested.hidden = !ids || ids.length < 2;
    if (nested.hidden) {
      return;
    }
    ids.forEach(function (id) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = id;
      button.classList.toggle("current", id === current);
      button.addEventListener("click", function () { show(id, ids); });
      nested.appendChild(button);
    });
  }

  function show(id, ids) {
    var card = document.getElementById("claim-" + id);
    if (!card || !card.classList.contains("claim-card")) {
      return null;
    }
    panel.querySelectorAll(".claim-card").forEach(function (other) { other.hidden = true; });
    card.hidden = false;
    hint.hidden = true;
    showNested(id, ids);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + id);
    }
    return highlight(id);
  }

  function choose(target) {
    var span = target.closest(".hl");
    if (span && article.contains(span)) {
      var ids = claimsOf(span);
      if (ids.length) {
        show(ids[0], ids);
      }
    }
  }

  article.addEventListener("click", function (event) { choose(event.target); });
  article.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose(event.target);
    }
  });
  panel.addEventListener("click", function (event) {
    var link = event.target.closest("a.open-claim");
    if (link) {
      event.preventDefault();
      var first = show(link.hash.slice(1), null);
      if (first) {
        first.scrollIntoView({block: "center"});
      }
    }
  });

  if (window.location.hash.length > 1) {
    var first = show(decodeURIComponent(window.location.hash.slice(1)), null);
    if (first) {
      first.scrollIntoView({block: "center"});
    }
  }
}());

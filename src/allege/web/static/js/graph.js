/* The entity page's graph: relations and quotation chains, drawn by cytoscape.js.
   Labels are drawn on a canvas as text, so no name from an article becomes markup. */
(function () {
  "use strict";
  var container = document.getElementById("graph");
  if (!container || typeof window.cytoscape !== "function") {
    return;
  }
  var focus = Number(container.getAttribute("data-focus"));
  var colours = {PERSON: "#2f6db5", ORG: "#c0671b", GPE: "#2e8b57", NORP: "#7b4fa8"};

  function say(text) {
    container.textContent = text;
    container.classList.add("empty");
  }

  function elements(graph) {
    var nodes = graph.nodes.map(function (node) {
      return {data: {id: "n" + node.id, entity: node.id, label: node.label,
                     colour: colours[node.type] || "#687078", focus: node.focus ? 1 : 0}};
    });
    var edges = graph.edges.map(function (edge, i) {
      var label = edge.label.replace(/_/g, " ") + (edge.count > 1 ? " ×" + edge.count : "");
      return {data: {id: "e" + i, source: "n" + edge.source, target: "n" + edge.target,
                     label: label, kind: edge.kind}};
    });
    return nodes.concat(edges);
  }

  var style = [
    {selector: "node", style: {
      "background-color": "data(colour)", "label": "data(label)", "font-size": 11,
      "color": "#1d2329", "text-valign": "bottom", "text-margin-y": 4,
      "width": 22, "height": 22, "text-wrap": "wrap", "text-max-width": 120}},
    {selector: "node[focus = 1]", style: {
      "width": 34, "height": 34, "border-width": 3, "border-color": "#1d2329",
      "font-weight": "bold"}},
    {selector: "edge", style: {
      "curve-style": "bezier", "target-arrow-shape": "triangle", "width": 2,
      "label": "data(label)", "font-size": 9, "color": "#4a535c",
      "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-background-padding": 2, "text-rotation": "autorotate"}},
    {selector: "edge[kind = 'relation']", style: {
      "line-color": "#8a96a3", "target-arrow-color": "#8a96a3"}},
    {selector: "edge[kind = 'quotes']", style: {
      "line-color": "#c0392b", "target-arrow-color": "#c0392b", "line-style": "dashed"}}
  ];

  function draw(graph) {
    if (!graph.edges.length) {
      say("No relations or quotation chains are known for this entity yet.");
      return;
    }
    var cy = window.cytoscape({
      container: container, elements: elements(graph), style: style,
      layout: {name: "breadthfirst", roots: "#n" + focus, directed: false, padding: 30,
               spacingFactor: 1.2, avoidOverlap: true, animate: false},
      minZoom: 0.3, maxZoom: 3
    });
    if (cy.zoom() > 1.1) {
      cy.zoom(1.1);
      cy.center();
    }
    cy.on("tap", "node", function (event) {
      var id = event.target.data("entity");
      if (id !== focus) {
        window.location.href = "/entities/" + encodeURIComponent(id);
      }
    });
    container.setAttribute("data-ready", "1");
  }

  fetch(container.getAttribute("data-src"), {headers: {"Accept": "application/json"}})
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch(function () { say("The graph could not be loaded."); });
}());

"""Pictures of the internal-customer graph (``icmap graph`` and the pictures of other commands):
``tree`` (the terminal tree), ``dot`` (Graphviz), ``image`` (SVG, PNG, PDF through Graphviz),
``mermaid``, ``html`` (the page, drawn in the browser with the vendored Viz.js in ``vendor/``),
``node_link`` (JSON) and ``graph_file`` (GraphML, GEXF); ``styles`` holds the colours and marks
they and the terminal outputs share.
"""

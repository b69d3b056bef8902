"""Serving layers: pre-rendered GeoJSON for small layers, pre-built vector tiles for large ones."""

"""The body chart: a QGraphicsScene of the three views and the QGraphicsView that shows it."""

"""The registry: holders and their IP assets (patents, trademarks, copyrights, plant-variety
rights, geographical indications) — P2.8, P2.5 and the data every other clause needs."""

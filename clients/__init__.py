"""Programs that play Chapter VIII over its public protocol: the async client, the load
generator and (in clients/bots/) the bots. Imports `game` for the shared models, never
`server`."""

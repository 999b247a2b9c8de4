module carnet

go 1.26.8

require (
	github.com/go-jose/go-jose/v4 v4.1.8
	github.com/mattn/go-sqlite3 v1.14.53
)

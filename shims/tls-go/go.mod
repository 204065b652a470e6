module crosscheck/tls-shim-go

go 1.27

package mail

import (
	"crypto/tls"

	gomail "github.com/wneessen/go-mail"
)

// TrustTestCA makes the client trust a test server's self-signed
// certificate. Production trusts the system roots (a relay with a private
// CA: point SSL_CERT_FILE or SSL_CERT_DIR at a bundle that holds it).
func TrustTestCA(s *SMTP, c *tls.Config) { s.opts = append(s.opts, gomail.WithTLSConfig(c)) }

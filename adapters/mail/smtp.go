package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"agora/ports/identity"
)

// SMTP sends through a mail server named by a URL:
//
//	smtp://user:password@host:587   STARTTLS, required (the default)
//	smtps://user:password@host:465  TLS from the first byte
//	smtp://host:25?tls=opportunistic  STARTTLS when the server offers it
//	smtp://127.0.0.1:1025?tls=none    plain text (a local relay or a test server)
//
// With a user in the URL the client authenticates with the best mechanism
// the server offers (SCRAM, then PLAIN or LOGIN, never in clear text unless
// the server is on loopback).
type SMTP struct {
	from string
	opts []gomail.Option
	host string
}

var _ identity.Mailer = (*SMTP)(nil)

// NewSMTP parses the URL and checks the From address; it does not connect.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	if err := checkFrom(from); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mail: SMTP_URL does not parse")
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("mail: SMTP_URL has no host")
	}
	opts := []gomail.Option{gomail.WithTimeout(15 * time.Second)}
	port := 587
	switch u.Scheme {
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	case "smtp":
		switch tlsMode := u.Query().Get("tls"); tlsMode {
		case "", "starttls":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "opportunistic":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		default:
			return nil, fmt.Errorf("mail: SMTP_URL tls=%q: want starttls, opportunistic or none", tlsMode)
		}
	default:
		return nil, fmt.Errorf("mail: SMTP_URL scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, errors.New("mail: SMTP_URL has a bad port")
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	return &SMTP{from: from, opts: opts, host: host}, nil
}

// Send implements identity.Mailer. Each message gets its own connection:
// mail is rare here (resets, verifications) and a fresh dial never finds a
// connection the server has dropped.
func (s *SMTP) Send(ctx context.Context, m identity.Message) error {
	msg, err := compose(s.from, m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail: send to %s: %w", s.host, err)
	}
	return nil
}

// Package mail sends the service's email: over SMTP with wneessen/go-mail
// in production (SMTP_URL), or as .eml files in a folder in development
// (MAIL_DIR), so that a developer can open the reset link without a mail
// server. Both write the same RFC 5322 message. Neither logs message
// bodies: they carry single-use tokens.
package mail

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"

	gomail "github.com/wneessen/go-mail"

	"agora/ports/identity"
)

// compose builds the message both adapters send.
func compose(from string, m identity.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("mail: From: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: To: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	return msg, nil
}

// checkFrom validates a From address once, at construction.
func checkFrom(from string) error {
	if _, err := mail.ParseAddress(from); err != nil {
		return fmt.Errorf("mail: MAIL_FROM %q: %w", from, err)
	}
	return nil
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package identity

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/google/uuid"

	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
)

// RequestPasswordReset answers at once and the same way for a known and an
// unknown address: everything that depends on the address (the lookup,
// storing a token, sending the email) runs in the background, so neither
// the answer nor its timing tells whether an account exists.
func (s *Service) RequestPasswordReset(_ context.Context, email user.Email) error {
	s.bg.submit(func(ctx context.Context) error {
		u, err := s.users.UserByEmail(ctx, email)
		if errors.Is(err, errs.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up the address of a password reset: %w", err)
		}
		return s.sendToken(ctx, u, session.PasswordReset)
	})
	return nil
}

// ConfirmPasswordReset sets a new password with an emailed token and revokes
// every session of the user. The password rule is checked by the caller
// (user.ParsePassword) before the token is spent.
func (s *Service) ConfirmPasswordReset(ctx context.Context, token session.Secret, pw user.Password) error {
	hash, err := s.d.Hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	err = s.tokens.ResetPassword(ctx, token.Hash(), hash, s.now())
	if errors.Is(err, errs.ErrNotFound) {
		return errs.WithCause(errBadOneTimeToken, detach(err))
	}
	return err
}

// RequestEmailVerification emails the caller a verification token; 409 when
// the address is already verified.
func (s *Service) RequestEmailVerification(ctx context.Context, id uuid.UUID) error {
	u, err := s.Me(ctx, id)
	if err != nil {
		return err
	}
	if u.EmailVerified() {
		return errs.New(errs.ErrConflict, "The email address is already verified.")
	}
	s.bg.submit(func(ctx context.Context) error {
		return s.sendToken(ctx, u, session.EmailVerification)
	})
	return nil
}

// ConfirmEmail marks the address of the token's user verified.
func (s *Service) ConfirmEmail(ctx context.Context, token session.Secret) error {
	err := s.tokens.VerifyEmail(ctx, token.Hash(), s.now())
	if errors.Is(err, errs.ErrNotFound) {
		return errs.WithCause(errBadOneTimeToken, detach(err))
	}
	return err
}

// sendToken stores a new single-use token and emails it.
func (s *Service) sendToken(ctx context.Context, u user.User, p session.Purpose) error {
	secret, hash, err := session.NewSecret(s.d.Rand)
	if err != nil {
		return err
	}
	if err := s.tokens.CreateOneTimeToken(ctx, session.NewOneTimeToken(hash, u.ID, p, s.now())); err != nil {
		return fmt.Errorf("store %s token: %w", p, err)
	}
	if err := s.d.Mailer.Send(ctx, s.tokenMessage(u, p, secret)); err != nil {
		return fmt.Errorf("send %s email: %w", p, err)
	}
	return nil
}

// tokenMail is the wording of one purpose's email.
type tokenMail struct {
	subject string
	intro   string // %s is the username
	path    string // of the web page the link opens
	send    string // how an API client redeems the token instead
	outro   string
}

var tokenMails = map[session.Purpose]tokenMail{
	session.PasswordReset: {
		subject: "Reset your Agora password",
		intro: "someone asked to reset the password of your Agora account (%s).\n" +
			"To choose a new password, open this link within 30 minutes:",
		path:  "/reset-password",
		send:  "or send this token to POST /api/v1/auth/password-reset/confirm:",
		outro: "\nIf it was not you, ignore this email: your password stays as it is.\n",
	},
	session.EmailVerification: {
		subject: "Confirm your email address for Agora",
		intro: "please confirm that this address belongs to your Agora account (%s)\n" +
			"by opening this link within 24 hours:",
		path: "/verify-email",
		send: "or by sending this token to POST /api/v1/auth/verify-email/confirm:",
	},
}

// tokenMessage writes the email. The token appears both in a link and on a
// line of its own ("Token: ...") so that an API client can paste it.
func (s *Service) tokenMessage(u user.User, p session.Purpose, secret session.Secret) Message {
	m := tokenMails[p]
	tok := string(secret)
	link := s.cfg.PublicBaseURL + m.path + "?token=" + url.QueryEscape(tok)
	return Message{
		To:      string(u.Email),
		Subject: m.subject,
		Text: "Hello " + u.DisplayName + ",\n\n" + fmt.Sprintf(m.intro, u.Username) + "\n\n" + link + "\n\n" +
			m.send + "\n\nToken: " + tok + "\n" + m.outro,
	}
}

package http

import (
	"time"

	"agora/domain/errs"
	"agora/domain/text"
	"agora/domain/user"
	"agora/ports/identity"
)

// meJSON is the contract's Me: the caller's own account.
type meJSON struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	DisplayName   string    `json:"display_name"`
	Headline      string    `json:"headline"`
	Bio           string    `json:"bio"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toMeJSON(u user.User) meJSON {
	return meJSON{
		ID: u.ID.String(), Username: string(u.Username), Email: string(u.Email), EmailVerified: u.EmailVerified(),
		DisplayName: u.DisplayName, Headline: u.Headline, Bio: u.Bio,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

// tokensJSON is the contract's Tokens.
type tokensJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	User         meJSON `json:"user"`
}

func toTokensJSON(s identity.SignedIn) tokensJSON {
	return tokensJSON{
		AccessToken: s.AccessToken, RefreshToken: string(s.RefreshToken), TokenType: "Bearer",
		ExpiresIn: int64(s.ExpiresIn / time.Second), User: toMeJSON(s.User),
	}
}

// summaryJSON is the contract's UserSummary.
type summaryJSON struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

func toSummaryJSON(u user.Summary) summaryJSON {
	return summaryJSON{ID: u.ID.String(), Username: string(u.Username), DisplayName: u.DisplayName}
}

// withFieldErrors joins field errors found in the adapter (nulls) with a domain
// parser's; the result is nil when both are clean.
func withFieldErrors(f errs.Fields, err error) error {
	if err != nil && len(errs.FieldsOf(err)) == 0 {
		return err
	}
	f = append(f, errs.FieldsOf(err)...)
	return f.Err()
}

// requireText reports an empty required string (also what a JSON null or an
// omitted field leaves behind), a string over max characters, and text that
// breaks the rules of all text (control characters: a NUL would reach
// PostgreSQL, which cannot store it).
func requireText(f *errs.Fields, field, v string, maxChars int) {
	if p := text.Problem(v, text.SingleLine); p != "" && p != text.MsgBlank {
		f.Add(field, p)
		return
	}
	switch n := text.Chars(v); {
	case n == 0:
		f.Add(field, "is required")
	case n > maxChars:
		f.Add(field, "is too long")
	}
}

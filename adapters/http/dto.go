package http

import (
	"time"

	"agora/domain/user"
)

// The wire shapes both areas answer with. Every shape the API reads or
// writes is a *DTO, mapped from domain values by a toXDTO function; the
// names follow the OpenAPI document's schemas.

// summaryDTO is the contract's UserSummary.
type summaryDTO struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

func toSummaryDTO(u user.Summary) summaryDTO {
	return summaryDTO{ID: u.ID.String(), Username: string(u.Username), DisplayName: u.DisplayName}
}

// meDTO is the contract's Me: the caller's own account.
type meDTO struct {
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

func toMeDTO(u user.User) meDTO {
	return meDTO{
		ID: u.ID.String(), Username: string(u.Username), Email: string(u.Email), EmailVerified: u.EmailVerified(),
		DisplayName: u.DisplayName, Headline: u.Headline, Bio: u.Bio,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(),
	}
}

// toDTOs maps a list of domain values to wire shapes; the result is never
// nil, so an empty list is [] on the wire, not null.
func toDTOs[D, T any](in []D, toDTO func(D) T) []T {
	out := make([]T, 0, len(in))
	for _, v := range in {
		out = append(out, toDTO(v))
	}
	return out
}

// utcPtr is an optional instant in UTC, as every time on the wire is.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

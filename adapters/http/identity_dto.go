package http

import (
	"time"

	"agora/ports/identity"
)

// tokensDTO is the contract's Tokens.
type tokensDTO struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	User         meDTO  `json:"user"`
}

func toTokensDTO(s identity.SignedIn) tokensDTO {
	return tokensDTO{
		AccessToken: s.AccessToken, RefreshToken: string(s.RefreshToken), TokenType: "Bearer",
		ExpiresIn: int64(s.ExpiresIn / time.Second), User: toMeDTO(s.User),
	}
}

package webhookkit

import (
	"net/netip"
	"testing"
)

func TestPublicAddress(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.255.0.9", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.2.3", false},
		{"10.0.0.1", false},
		{"172.31.255.255", false},
		{"192.168.0.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"fd00:ec2::254", false},
		{"fe80::1", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"64:ff9b::a00:1", false},
		{"2002:a00:1::", false},
		{"2606:4700:4700::1111%eth0", false},
	}
	for _, tt := range tests {
		if got := publicAddress(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("publicAddress(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

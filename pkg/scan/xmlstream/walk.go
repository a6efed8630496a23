package xmlstream

// Children calls fn for each child element of the element whose
// StartElement was just returned, until its end tag; fn must consume the
// child (Skip, Text, FieldText or Children).
func (d *Decoder) Children(fn func(*Token) error) error {
	depth := d.Depth()
	for {
		t, err := d.Next()
		if err != nil {
			return err
		}
		if d.Depth() < depth {
			return nil
		}
		if t.Kind == StartElement {
			if err := fn(t); err != nil {
				return err
			}
		}
	}
}

// Fields reads the text of the named child elements of the element just
// started into their targets (cut to scan.MaxField) and skips the others.
func (d *Decoder) Fields(targets map[string]*string) error {
	return d.Children(func(t *Token) error {
		if dst, ok := targets[string(t.Name)]; ok {
			v, err := d.FieldText()
			*dst = v
			return err
		}
		return d.Skip()
	})
}

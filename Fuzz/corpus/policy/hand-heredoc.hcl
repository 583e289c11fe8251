// heredoc and block comments
/* a block
   comment */
path "secret/notes" {
  comment = <<EOT
free text with "quotes" and path "x" { }
EOT
  comment = <<-END
    indented
      heredoc
    END
  capabilities = ["read"]
}

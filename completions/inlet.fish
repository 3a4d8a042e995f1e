# fish completion for inlet(1) and its commands.
#
# The same file is installed as inlet.fish and as inlet-NAME.fish for each
# command, so whichever name fish loads it for, "inlet COMMAND ..." and every
# inlet-COMMAND binary get their completions.
#
# It lists no option: each command says its own with "--complete"
# (libcommon/options.h), one line an option, tab-separated,
#	--LONG  -S  ARGNAME  VALUES  HELP
# ('-' for an empty field), "operand - - VALUES -" for the operands and
# "KEY= - - VALUES -" for the values of a KEY= word.  VALUES: <file>,
# <dir>, words, a word with a kind after a prefix (move:<dir>,
# sqlite:<file>:), a prefix before free text (every:), or KEY= words.  The
# lines are asked once per command and shell.

# __inlet_spec PROGRAM [COMMAND]: the --complete lines of PROGRAM (with
# COMMAND: "inlet COMMAND"), kept in a global variable per command.
function __inlet_spec
    set -l key (string replace -r '.*/' '' -- $argv[1])_"$argv[2]"
    set -l var __inlet_cache_(string replace -ra '[^A-Za-z0-9_]' _ -- $key)
    if not set -q $var
        set -g -- $var ($argv --complete 2>/dev/null)
    end
    printf '%s\n' $$var
end

# __inlet_field NAME N: field N of the line of $__inlet_lines whose first
# or second field is NAME; false when there is none.
function __inlet_field --argument-names name n
    for l in $__inlet_lines
        set -l f (string split \t -- $l)
        if test "$f[1]" = "$name"; or test "$f[2]" = "$name"
            echo $f[$n]
            return 0
        end
    end
    return 1
end

# __inlet_options: the option names with their help, for fish to show.
function __inlet_options
    for l in $__inlet_lines
        set -l f (string split \t -- $l)
        string match -q -- '--*' $f[1]; or continue
        printf '%s\t%s\n' $f[1] $f[5]
        test "$f[2]" != -; and printf '%s\t%s\n' $f[2] $f[5]
    end
end

# __inlet_paths KIND TOKEN: the files (KIND file) or folders (dir) that
# complete TOKEN, without descriptions.
function __inlet_paths --argument-names kind token
    if test "$kind" = dir
        __fish_complete_directories $token | string replace -r '\t.*' ''
    else
        __fish_complete_path $token | string replace -r '\t.*' ''
    end
end

# __inlet_values OUT VALUES TOKEN: the candidates for TOKEN from VALUES,
# each after OUT ("--opt=" or "KEY=", as typed before TOKEN).
function __inlet_values --argument-names out values token
    set -l words (string split ' ' -- $values)
    for w in $words
        if string match -q -- '*<*>*' $w
            set -l pre (string replace -r '<.*' '' -- $w)
            set -l kind (string replace -r '^[^<]*<([a-z]+)>.*' '$1' -- $w)
            set -l suffix (string replace -r '^[^>]*>' '' -- $w)
            if test -n "$pre"; and string match -q -- "$pre*" $token
                set -l rest (string sub -s (math (string length -- $pre) + 1) -- $token)
                # After the suffix (":TABLE"): free text.
                test -n "$suffix"; and string match -q -- "*$suffix*" $rest; and return
                __inlet_paths $kind $rest | string replace -r '^' -- "$out$pre" |
                    string replace -r '^(.*[^/])$' "\$1$suffix"
                return
            end
        else if string match -q -- '*:' $w; and string match -q -- "$w*" $token
            # every:DURATION, sum:FIELD: free text.
            return
        else if string match -q -- '*=' $w; and string match -q -- "$w*" $token
            set -l keyvalues (__inlet_field $w 4)
            __inlet_values "$out$w" "$keyvalues" (string sub -s (math (string length -- $w) + 1) -- $token)
            return
        end
    end
    for w in $words
        switch $w
            case '<file>' '<dir>'
                __inlet_paths (string trim -c '<>' -- $w) $token | string replace -r '^' -- $out
            case '*<*'
                echo $out(string replace -r '<.*' '' -- $w)
            case - ''
            case '*'
                echo $out$w
        end
    end
end

# __inlet_complete: the candidates for the command line as it stands.
function __inlet_complete
    set -l tokens (commandline -opc)
    set -l token (commandline -ct)
    set -l first 2
    set -g __inlet_lines (__inlet_spec $tokens[1])
    if not string match -q -- 'inlet-*' (string replace -r '.*/' '' -- $tokens[1])
        set -l commands (__inlet_field operand 4)
        if test (count $tokens) -eq 1
            if string match -q -- '-*' $token
                __inlet_options
            else
                __inlet_values '' "$commands" $token
            end
            return
        end
        if test "$tokens[2]" = help
            test (count $tokens) -eq 2; and __inlet_values '' "$commands" $token
            return
        end
        contains -- $tokens[2] (string split ' ' -- $commands); or return
        set -g __inlet_lines (__inlet_spec $tokens[1] $tokens[2])
        set first 3
    end
    test -n "$__inlet_lines[1]"; or return
    set -l operands (__inlet_field operand 4)
    # After "--" every word is an operand.
    if test (count $tokens) -ge $first; and contains -- -- $tokens[$first..-1]
        __inlet_values '' "$operands" $token
        return
    end
    # --opt=VALUE
    if string match -qr -- '^--[^=]+=' $token
        set -l option (string replace -r '=.*' '' -- $token)
        set -l argname (__inlet_field $option 3); or return
        test "$argname" != -; or return
        set -l values (__inlet_field $option 4)
        __inlet_values "$option=" "$values" (string replace -r '^[^=]*=' '' -- $token)
        return
    end
    # The value of the option before.
    if test (count $tokens) -ge $first; and string match -q -- '-*' $tokens[-1]
        set -l argname (__inlet_field $tokens[-1] 3)
        if test -n "$argname"; and test "$argname" != -; and not string match -q -- '[*' $argname
            set -l values (__inlet_field $tokens[-1] 4)
            __inlet_values '' "$values" $token
            return
        end
    end
    if string match -q -- '-*' $token
        __inlet_options
        return
    end
    __inlet_values '' "$operands" $token
end

for name in inlet inlet-discover inlet-parse inlet-rescue inlet-cast inlet-join \
    inlet-window inlet-commit inlet-copy-into inlet-ctas inlet-autoload inlet-status
    complete -c $name -f -a '(__inlet_complete)'
end
